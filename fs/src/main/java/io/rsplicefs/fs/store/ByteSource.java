package io.rsplicefs.fs.store;

import io.rsplicefs.nativeio.NativeIoException;

/**
 * Where an open file's bytes are. The read paths ask this, not the store's
 * type: a range of an fd can be spliced (and, page aligned, donated);
 * produced bytes can only be copied into a reply.
 */
public sealed interface ByteSource permits ByteSource.FdRange, ByteSource.Produced {
    /** Whether a reply can reference these bytes in a pipe instead of copying them. */
    boolean canSplice();

    /**
     * Whether the kernel could move the backing pages into the FUSE page cache:
     * only whole pages at a file offset that agrees with the backing offset.
     */
    boolean canDonate();

    /**
     * Bytes {@code [base, base + length)} of {@code fd}: file offset {@code off}
     * is fd offset {@code base + off}. A whole file that may grow or shrink
     * (a directory store's) has length {@link #UNBOUNDED}: its end is the fd's end.
     */
    record FdRange(int fd, long base, long length) implements ByteSource {
        public static final long UNBOUNDED = Long.MAX_VALUE;
        private static final long PAGE = 4096;

        public static FdRange wholeFile(int fd) {
            return new FdRange(fd, 0, UNBOUNDED);
        }

        /** How many of {@code size} bytes at file offset {@code off} lie inside the range. */
        public long clamp(long off, long size) {
            if (length == UNBOUNDED) {
                return size;
            }
            return Math.max(0, Math.min(size, length - off));
        }

        public long position(long off) {
            return base + off;
        }

        @Override
        public boolean canSplice() {
            return true;
        }

        @Override
        public boolean canDonate() {
            return base % PAGE == 0;
        }
    }

    /** Bytes made by the store on demand (from memory, by inflating, ...). */
    non-sealed interface Produced extends ByteSource {
        /**
         * Writes up to {@code size} bytes from file offset {@code off} to native
         * memory at {@code address}; returns how many (0 at end of file).
         */
        long fill(long address, long size, long off) throws NativeIoException;

        @Override
        default boolean canSplice() {
            return false;
        }

        @Override
        default boolean canDonate() {
            return false;
        }
    }
}
