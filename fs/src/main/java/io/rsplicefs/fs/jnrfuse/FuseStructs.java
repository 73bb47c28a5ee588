package io.rsplicefs.fs.jnrfuse;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.Statvfs;

/** Copies the core's answers into libfuse's structs and buffers. */
final class FuseStructs {

    private FuseStructs() {
    }

    static void fill(ru.serce.jnrfuse.struct.FileStat st, FileStat s) {
        st.st_dev.set(s.dev());
        st.st_ino.set(s.ino());
        st.st_mode.set(s.mode());
        st.st_nlink.set(s.nlink());
        st.st_uid.set(s.uid());
        st.st_gid.set(s.gid());
        st.st_rdev.set(s.rdev());
        st.st_size.set(s.size());
        st.st_blksize.set(s.blksize());
        st.st_blocks.set(s.blocks());
        st.st_atim.tv_sec.set(s.atimeSec());
        st.st_atim.tv_nsec.set(s.atimeNsec());
        st.st_mtim.tv_sec.set(s.mtimeSec());
        st.st_mtim.tv_nsec.set(s.mtimeNsec());
        st.st_ctim.tv_sec.set(s.ctimeSec());
        st.st_ctim.tv_nsec.set(s.ctimeNsec());
    }

    static void fill(Statvfs st, FsStat s) {
        st.f_bsize.set(s.bsize());
        st.f_frsize.set(s.frsize());
        st.f_blocks.set(s.blocks());
        st.f_bfree.set(s.bfree());
        st.f_bavail.set(s.bavail());
        st.f_files.set(s.files());
        st.f_ffree.set(s.ffree());
        st.f_favail.set(s.favail());
        st.f_fsid.set(s.fsid());
        st.f_flag.set(s.flag());
        st.f_namemax.set(s.namemax());
    }

    /** Copies an xattr value or name list following the size protocol (size 0 asks for the length). */
    static int xattrReply(byte[] value, Pointer buf, long size) {
        if (size == 0) {
            return value.length;
        }
        if (size < value.length) {
            return -Errno.ERANGE;
        }
        buf.put(0, value, 0, value.length);
        return value.length;
    }

    /** "." and "..", then the names, until libfuse's buffer is full. */
    static void fillDir(FuseFillDir filler, Pointer buf, String[] names) {
        filler.apply(buf, ".", null, 0);
        filler.apply(buf, "..", null, 0);
        for (String n : names) {
            if (filler.apply(buf, n, null, 0) != 0) {
                break;
            }
        }
    }

    /** The {@code size} bytes at {@code p} (an xattr value: small, bounded by the kernel at 64 KiB). */
    static byte[] bytes(Pointer p, long size) {
        byte[] v = new byte[(int) size];
        p.get(0, v, 0, v.length);
        return v;
    }

    /** A NUL-terminated string, cut to the buffer (readlink's contract in libfuse 2.9). */
    static int cString(byte[] s, Pointer buf, long size) {
        if (size <= 0) {
            return -Errno.EINVAL;
        }
        int n = (int) Math.min(s.length, size - 1);
        buf.put(0, s, 0, n);
        buf.putByte(n, (byte) 0);
        return 0;
    }
}
