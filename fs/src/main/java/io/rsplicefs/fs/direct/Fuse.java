package io.rsplicefs.fs.direct;

/**
 * The FUSE protocol's numbers (include/uapi/linux/fuse.h): opcodes, INIT
 * flags, setattr bits, and the byte offsets of the fields this engine reads
 * and writes. The struct sizes are checked against C's by a test
 * ({@code FuseLayoutTest}), so a wrong offset here fails the build.
 */
final class Fuse {
    private Fuse() {
    }

    static final int KERNEL_VERSION = 7;
    /**
     * The minor version this engine speaks: 7.42, the newest whose features it
     * uses (7.40 FUSE passthrough, 7.42 FUSE over io_uring). The kernel's may be
     * lower (6.1: 7.38) or higher (6.18: 7.45); the kernel then keeps to the
     * lower of the two for the layouts that changed.
     */
    static final int KERNEL_MINOR = 42;
    static final int ROOT_ID = 1;

    // opcodes
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int SETXATTR = 21;
    static final int GETXATTR = 22;
    static final int LISTXATTR = 23;
    static final int REMOVEXATTR = 24;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int FSYNCDIR = 30;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;
    static final int FALLOCATE = 43;
    static final int READDIRPLUS = 44;
    static final int RENAME2 = 45;
    static final int LSEEK = 46;
    static final int COPY_FILE_RANGE = 47;
    static final int SYNCFS = 50;
    static final int STATX = 52;

    static String opName(int op) {
        return switch (op) {
            case LOOKUP -> "LOOKUP";
            case FORGET -> "FORGET";
            case GETATTR -> "GETATTR";
            case SETATTR -> "SETATTR";
            case READLINK -> "READLINK";
            case SYMLINK -> "SYMLINK";
            case MKNOD -> "MKNOD";
            case MKDIR -> "MKDIR";
            case UNLINK -> "UNLINK";
            case RMDIR -> "RMDIR";
            case RENAME -> "RENAME";
            case LINK -> "LINK";
            case OPEN -> "OPEN";
            case READ -> "READ";
            case WRITE -> "WRITE";
            case STATFS -> "STATFS";
            case RELEASE -> "RELEASE";
            case FSYNC -> "FSYNC";
            case SETXATTR -> "SETXATTR";
            case GETXATTR -> "GETXATTR";
            case LISTXATTR -> "LISTXATTR";
            case REMOVEXATTR -> "REMOVEXATTR";
            case FLUSH -> "FLUSH";
            case INIT -> "INIT";
            case OPENDIR -> "OPENDIR";
            case READDIR -> "READDIR";
            case RELEASEDIR -> "RELEASEDIR";
            case FSYNCDIR -> "FSYNCDIR";
            case ACCESS -> "ACCESS";
            case CREATE -> "CREATE";
            case INTERRUPT -> "INTERRUPT";
            case DESTROY -> "DESTROY";
            case BATCH_FORGET -> "BATCH_FORGET";
            case FALLOCATE -> "FALLOCATE";
            case READDIRPLUS -> "READDIRPLUS";
            case RENAME2 -> "RENAME2";
            case LSEEK -> "LSEEK";
            case COPY_FILE_RANGE -> "COPY_FILE_RANGE";
            default -> "OP_" + op;
        };
    }

    // INIT flags (flags; flags2 shifted by 32 into one long)
    static final long ASYNC_READ = 1L;
    static final long ATOMIC_O_TRUNC = 1L << 3;
    static final long EXPORT_SUPPORT = 1L << 4;
    static final long BIG_WRITES = 1L << 5;
    static final long DONT_MASK = 1L << 6;
    static final long SPLICE_WRITE = 1L << 7;
    static final long SPLICE_MOVE = 1L << 8;
    static final long SPLICE_READ = 1L << 9;
    static final long AUTO_INVAL_DATA = 1L << 12;
    static final long DO_READDIRPLUS = 1L << 13;
    static final long READDIRPLUS_AUTO = 1L << 14;
    static final long ASYNC_DIO = 1L << 15;
    static final long WRITEBACK_CACHE = 1L << 16;
    static final long PARALLEL_DIROPS = 1L << 18;
    static final long POSIX_ACL = 1L << 20;
    static final long MAX_PAGES = 1L << 22;
    static final long INIT_EXT = 1L << 30;
    static final long PASSTHROUGH = 1L << 37;
    static final long OVER_IO_URING = 1L << 41;
    /** 7.46 (Linux 7.3): io_uring buffer pools, and zero copy on their queues. */
    static final long HAS_IO_URING_BUFPOOL = 1L << 43;

    // setattr valid bits
    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_FH = 1 << 6;
    static final int FATTR_ATIME_NOW = 1 << 7;
    static final int FATTR_MTIME_NOW = 1 << 8;

    static final int GETATTR_FH = 1;
    static final int WRITE_CACHE = 1;
    static final int FOPEN_DIRECT_IO = 1;
    static final int FOPEN_KEEP_CACHE = 1 << 1;
    /** fuse_open_out names a backing id: the kernel does this file's I/O on the backing file itself. */
    static final int FOPEN_PASSTHROUGH = 1 << 7;

    // struct sizes
    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;
    static final int ATTR = 88;
    static final int ENTRY_OUT = 128;
    static final int ATTR_OUT = 104;
    static final int INIT_OUT = 64;
    static final int OPEN_OUT = 16;
    static final int WRITE_IN = 40;
    static final int DIRENT = 24;
    static final int STATFS_OUT = 80;

    // fuse_in_header
    static final int IN_LEN = 0;
    static final int IN_OPCODE = 4;
    static final int IN_UNIQUE = 8;
    static final int IN_NODEID = 16;
    static final int IN_UID = 24;
    static final int IN_GID = 28;
    static final int IN_PID = 32;
}
