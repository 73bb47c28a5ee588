package io.rsplicefs.fs.core;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.nativeio.NativeIoException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What an open FUSE file handle stands for: the store's open file, and its replies still in flight. */
final class OpenHandle {
    final StoreFile file;
    /** Set, under the handle's lock, when the file is closed: a late donation check must not use its fd. */
    boolean closed;
    private final Set<ReadReply> inFlight = ConcurrentHashMap.newKeySet();

    OpenHandle(StoreFile file) {
        this.file = file;
    }

    /** Remembers a reply that something waits on, until it is consumed. */
    void track(ReadReply reply) {
        if (reply.tracked()) {
            inFlight.add(reply);
            reply.onConsumed(() -> inFlight.remove(reply));
        }
    }

    /**
     * The kernel releases a file only when no request on it is pending, so
     * every reply of this handle has been consumed by now, whether or not the
     * front end has seen it yet.
     */
    void close() throws NativeIoException {
        for (ReadReply r : inFlight) {
            r.consumed();
        }
        synchronized (this) { // waits for a donation check in progress on the fd
            closed = true;
            file.close();
        }
    }
}
