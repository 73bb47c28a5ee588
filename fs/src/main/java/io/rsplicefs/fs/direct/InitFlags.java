package io.rsplicefs.fs.direct;

import java.util.ArrayList;
import java.util.List;

/** The names of INIT's flag bits (flags in bits 0-31, flags2 in 32-63), as fuse.h spells them, for stats and doctor. */
final class InitFlags {
    private static final String[] NAMES = {
        "ASYNC_READ", "POSIX_LOCKS", "FILE_OPS", "ATOMIC_O_TRUNC", "EXPORT_SUPPORT", "BIG_WRITES", "DONT_MASK",
        "SPLICE_WRITE", "SPLICE_MOVE", "SPLICE_READ", "FLOCK_LOCKS", "HAS_IOCTL_DIR", "AUTO_INVAL_DATA",
        "DO_READDIRPLUS", "READDIRPLUS_AUTO", "ASYNC_DIO", "WRITEBACK_CACHE", "NO_OPEN_SUPPORT", "PARALLEL_DIROPS",
        "HANDLE_KILLPRIV", "POSIX_ACL", "ABORT_ERROR", "MAX_PAGES", "CACHE_SYMLINKS", "NO_OPENDIR_SUPPORT",
        "EXPLICIT_INVAL_DATA", "MAP_ALIGNMENT", "SUBMOUNTS", "HANDLE_KILLPRIV_V2", "SETXATTR_EXT", "INIT_EXT",
        "INIT_RESERVED", "SECURITY_CTX", "HAS_INODE_DAX", "CREATE_SUPP_GROUP", "HAS_EXPIRE_ONLY",
        "DIRECT_IO_ALLOW_MMAP", "PASSTHROUGH", "NO_EXPORT_SUPPORT", "HAS_RESEND", "ALLOW_IDMAP", "OVER_IO_URING",
        "REQUEST_TIMEOUT", "HAS_IO_URING_BUFPOOL",
    };

    private InitFlags() {
    }

    static List<String> names(long flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((flags & (1L << i)) != 0) {
                out.add(i < NAMES.length ? NAMES[i] : "BIT_" + i);
            }
        }
        return out;
    }
}
