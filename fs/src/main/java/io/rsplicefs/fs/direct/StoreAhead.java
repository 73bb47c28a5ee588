package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Pipe;
import io.rsplicefs.nativeio.Splice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Read-ahead across the files of a directory, for a store that cannot
 * change: READs from the start of files that follow each other in a
 * directory's listing (the order find, ls and a directory walk give) say a
 * reader goes through it, so the next small files are pushed into the
 * kernel's page cache with FUSE_NOTIFY_STORE, spliced from where their bytes
 * lie (a stored archive member's range of the archive: no byte through
 * Java), by threads of its own while the reader still copies. A reader that
 * goes on in that order finds them cached and sends no request for them;
 * one file per window is left out, and its READ asks for more
 * ({@link ListingWindow}). A reader in any other order starts nothing.
 *
 * <p>Safe because nothing changes: the bytes pushed are the bytes a READ
 * would give, and node ids are never reused, so a late push cannot land on
 * another file; a node the kernel has forgotten refuses it (ENOENT, counted).
 * Bounded: files up to {@link #MAX_FILE} bytes that the kernel already knows
 * (a READDIRPLUS or LOOKUP named them), a queue of {@link #QUEUE} files
 * (pushes that do not fit are dropped, counted); a push the reader overtook
 * is skipped (counted).
 */
final class StoreAhead implements AutoCloseable {
    /** The largest file pushed: about what one READ of a small file brings. */
    static final int MAX_FILE = 256 * 1024;
    static final int QUEUE = 256;
    /**
     * Pushing threads: the kernel stores a push page by page (an order-0 folio
     * each, about 1 GB/s for one thread here), slower than a reader copies
     * cached pages; two keep up where one cannot.
     */
    static final int PUSHERS = 2;
    /** fuse_out_header (len, error = the notify code, unique 0) and fuse_notify_store_out (nodeid, offset, size, pad). */
    private static final int HEADER = 16 + 24;
    private static final int NOTIFY_STORE = 4;
    /** Directory listings remembered (a reader works through a few directories at a time). */
    private static final int LISTINGS = 16;

    private final FsCore core;
    private final NodeTable nodes;
    private final int window;
    /** A window of at least 2 on a store that cannot change: else nothing is pushed. */
    private final boolean wanted;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Map<String, ListingWindow> listings = new LinkedHashMap<>(LISTINGS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ListingWindow> eldest) {
            return size() > LISTINGS;
        }
    };
    private final LongAdder files = new LongAdder();
    /** Time the threads spent pushing (not waiting for work): the kernel stores a push page by page. */
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder forgotten = new LongAdder();
    private final LongAdder passed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile String lastFailure = "";
    /** The largest file pushed: {@link #MAX_FILE}, or less where the pushers' pipes could not grow. */
    private volatile int largest = MAX_FILE;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    private record Item(long nodeid, ByteSource.FdRange range, ListingWindow listing, int index) {
    }

    /** @param window files per window (the one that asks and those pushed after it); below 2: off */
    StoreAhead(FsCore core, NodeTable nodes, int window) {
        this.core = core;
        this.nodes = nodes;
        this.window = window;
        this.wanted = window >= 2 && core.unchanging();
    }

    /**
     * After INIT: starts the pushing threads, each on a clone of the
     * connection's fd of its own (closed by the thread when it ends, so a push
     * can never reach an fd number the engine closed and something else
     * reopened).
     */
    void start(int connectionFd) {
        if (!wanted) {
            return;
        }
        for (int i = 0; i < PUSHERS; i++) {
            int fd;
            try {
                fd = FuseDevice.cloneOf(connectionFd);
            } catch (NativeIoException e) {
                lastFailure = "FUSE_DEV_IOC_CLONE: " + e.errnoName();
                return;
            }
            Thread t = new Thread(() -> run(fd), "rsplicefs-store-ahead-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * A READ of {@code nodeid} at {@code off} was answered: from the start of
     * a file, its directory's window decides what to push (see {@link ListingWindow}).
     */
    void afterRead(long nodeid, long off) {
        if (threads.isEmpty() || off != 0) {
            return;
        }
        try {
            String path = nodes.path(nodeid);
            int slash = path.lastIndexOf('/');
            String dir = slash == 0 ? "/" : path.substring(0, slash);
            ListingWindow l = listing(dir);
            int i = l.indexOf(path.substring(slash + 1));
            if (i < 0) {
                return;
            }
            for (int k : l.readAt(i)) {
                queue(dir, l, k);
            }
        } catch (NativeIoException e) {
            // the file or its directory is gone from the node table: nothing to push after it
        }
    }

    /** Queues the file at {@code index} if the kernel knows it and its bytes lie ready; else it is left to READs. */
    private void queue(String dir, ListingWindow l, int index) {
        String path = NodeTable.join(dir, l.name(index));
        long nodeid = nodes.idOf(path);
        if (nodeid == 0) {
            return; // the kernel has no inode for it yet: its own LOOKUP and READ will come
        }
        ByteSource.FdRange r;
        try {
            r = core.bytesAtHand(path);
        } catch (NativeIoException e) {
            return;
        }
        if (r == null || r.length() == 0 || r.length() > largest) {
            return;
        }
        if (!queue.offer(new Item(nodeid, r, l, index))) {
            dropped.increment();
        }
    }

    private ListingWindow listing(String dir) throws NativeIoException {
        synchronized (listings) {
            ListingWindow l = listings.get(dir);
            if (l == null) {
                l = new ListingWindow(core.readdir(dir), window);
                listings.put(dir, l);
            }
            return l;
        }
    }

    private void run(int devFd) {
        try (Pipe pipe = Pipe.create(); PageArena header = PageArena.allocate(1)) {
            int capacity;
            try {
                capacity = pipe.setCapacity(Math.min(Pipe.maxCapacity(), 2 * MAX_FILE));
            } catch (NativeIoException e) {
                capacity = pipe.capacity(); // over the user's pipe pages: smaller files only
            }
            // The header takes a page of the pipe, an unaligned range one page more than its size: a file that
            // does not fit would block the splice with nobody to drain the pipe.
            largest = Math.min(largest, capacity - 2 * PageArena.PAGE_SIZE);
            ByteBuffer h = header.buffer().order(ByteOrder.nativeOrder());
            while (true) {
                Item it = queue.take();
                long t0 = System.nanoTime();
                try {
                    push(devFd, pipe, header.address(), h, it);
                } catch (NativeIoException e) {
                    fail(pipe, e.getMessage()); // this file is left to its READ; the next may go through
                }
                busyNanos.add(System.nanoTime() - t0);
            }
        } catch (InterruptedException e) {
            // closed
        } catch (NativeIoException e) {
            lastFailure = e.getMessage();
        } finally {
            KernelMount.closeQuietly(devFd);
        }
    }

    /** One FUSE_NOTIFY_STORE of the whole file: header and struct written into the pipe, the bytes spliced behind them. */
    private void push(int devFd, Pipe pipe, long address, ByteBuffer h, Item it) throws NativeIoException {
        if (it.listing.passed(it.index)) {
            passed.increment(); // the reader got there first, by its own READ
            return;
        }
        int size = (int) it.range.length();
        if (size > largest) {
            dropped.increment();
            return;
        }
        h.putInt(0, HEADER + size).putInt(4, NOTIFY_STORE).putLong(8, 0);
        h.putLong(16, it.nodeid).putLong(24, 0).putInt(32, size).putInt(36, 0);
        long n = FuseDevice.writev(pipe.writeFd(), address, HEADER, 0, 0);
        if (n != HEADER) {
            fail(pipe, "write notify header to pipe: " + (n < 0 ? new NativeIoException("", (int) -n).errnoName()
                    : n + " bytes"));
            return;
        }
        long got = Splice.spliceFully(it.range.fd(), it.range.base(), pipe.writeFd(), Splice.NO_OFFSET, size, 0);
        if (got != size) {
            fail(pipe, "splice " + size + " bytes from the store gave " + got);
            return;
        }
        long sent = FuseDevice.sendPipe(pipe.readFd(), devFd, HEADER + size, 0);
        if (sent >= 0) {
            files.increment();
            bytes.add(size);
            return;
        }
        if (sent == -Errno.ENOENT) {
            forgotten.increment();
            pipe.drain();
        } else {
            fail(pipe, "FUSE_NOTIFY_STORE: " + new NativeIoException("", (int) -sent).errnoName());
        }
    }

    private void fail(Pipe pipe, String why) {
        failed.increment();
        lastFailure = why;
        try {
            pipe.drain();
        } catch (NativeIoException e) {
            lastFailure = why + "; " + e.getMessage();
        }
    }

    /** "off", why it is not here, or what was pushed (in how long), overtaken, forgotten, dropped and failed. */
    String summary() {
        if (!wanted) {
            return "off";
        }
        if (threads.isEmpty()) {
            return "not here (" + (lastFailure.isEmpty() ? "requests come over io_uring" : lastFailure) + ")";
        }
        return String.format(java.util.Locale.ROOT, "%d files (%.1f MiB) pushed in %d ms by %d threads, %d read first"
                + " by the reader, %d forgotten by the kernel, %d dropped, %d failed%s", files.sum(),
                bytes.sum() / 1048576.0, busyNanos.sum() / 1_000_000, threads.size(), passed.sum(), forgotten.sum(),
                dropped.sum(), failed.sum(), lastFailure.isEmpty() ? "" : " (" + lastFailure + ")");
    }

    @Override
    public void close() {
        threads.forEach(Thread::interrupt);
    }
}
