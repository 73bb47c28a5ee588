package io.rsplicefs.fs;

import io.rsplicefs.fs.stable.FileKey;
import io.rsplicefs.fs.store.OpenFile;

/** What an open FUSE file handle (fi->fh) stands for: the backing file and its identity. */
final class Handle {
    final OpenFile file;
    final FileKey key;
    /** Set, under the handle's lock, when the backing fd is closed: a late donation check must not use it. */
    boolean closed;

    Handle(OpenFile file, FileKey key) {
        this.file = file;
        this.key = key;
    }

    /** Closes the backing fd; waits for a donation check in progress on it. */
    void close() throws io.rsplicefs.nativeio.NativeIoException {
        synchronized (this) {
            closed = true;
            file.close();
        }
    }
}
