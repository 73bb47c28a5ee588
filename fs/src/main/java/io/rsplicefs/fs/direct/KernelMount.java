package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.MountException;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.Credentials;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounting /dev/fuse without libfuse. As root: open the device and mount(2)
 * it with {@code fd=,rootmode=,user_id=,group_id=} and the options the
 * kernel knows; as anyone else: through the setuid helper (fusermount3 or
 * fusermount), which sends the mounted fd back. The options are libfuse's
 * {@code -o} names, so both engines take the same ones; those that only
 * libfuse understands are dropped, an unknown one is refused.
 */
final class KernelMount {
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_SYNCHRONOUS = 16;
    static final long MS_DIRSYNC = 128;
    static final long MS_NOATIME = 1024;
    static final long MS_NODIRATIME = 2048;
    static final long MS_RELATIME = 1 << 21;
    static final long MS_STRICTATIME = 1 << 24;

    /** libfuse options with no meaning for the kernel (they tune libfuse itself). */
    private static final List<String> LIBFUSE_ONLY = List.of("big_writes", "use_ino", "readdir_ino", "splice_write",
            "splice_read", "splice_move", "nonempty", "hard_remove", "direct_io", "kernel_cache", "auto_cache",
            "no_remote_lock", "atomic_o_trunc");

    private KernelMount() {
    }

    /** What mount(2) needs besides the fd: source, type, flags, data. */
    record Plan(String source, String type, long flags, List<String> data, List<String> helperOptions) {
    }

    /** Translates libfuse-style options; MountException names an option the kernel would not take. */
    static Plan plan(List<String> options) throws MountException {
        String fsname = "rsplicefs";
        String subtype = "rsplicefs";
        long flags = MS_NOSUID | MS_NODEV;
        List<String> data = new ArrayList<>();
        List<String> helper = new ArrayList<>();
        for (String o : options) {
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            String value = o.contains("=") ? o.substring(o.indexOf('=') + 1) : null;
            switch (name) {
                case "fsname" -> fsname = value;
                case "subtype" -> subtype = value;
                case "default_permissions", "allow_other" -> {
                    data.add(name);
                    helper.add(name);
                }
                case "max_read", "blksize" -> {
                    data.add(o);
                    helper.add(o);
                }
                case "ro" -> flags |= MS_RDONLY;
                case "rw" -> flags &= ~MS_RDONLY;
                case "nosuid" -> flags |= MS_NOSUID;
                case "suid" -> flags &= ~MS_NOSUID;
                case "nodev" -> flags |= MS_NODEV;
                case "dev" -> flags &= ~MS_NODEV;
                case "noexec" -> flags |= MS_NOEXEC;
                case "exec" -> flags &= ~MS_NOEXEC;
                case "sync" -> flags |= MS_SYNCHRONOUS;
                case "async" -> flags &= ~MS_SYNCHRONOUS;
                case "dirsync" -> flags |= MS_DIRSYNC;
                case "noatime" -> flags |= MS_NOATIME;
                case "atime" -> flags &= ~MS_NOATIME;
                case "nodiratime" -> flags |= MS_NODIRATIME;
                case "relatime" -> flags |= MS_RELATIME;
                case "strictatime" -> flags |= MS_STRICTATIME;
                default -> {
                    if (!LIBFUSE_ONLY.contains(name)) {
                        throw new MountException("mount option '" + o + "' is not known to the direct engine"
                                + " (it takes the kernel's FUSE options: allow_other, default_permissions, max_read=N,"
                                + " ro, nosuid, nodev, noexec, noatime, sync, fsname=, subtype=)");
                    }
                }
            }
            if (!LIBFUSE_ONLY.contains(name) && !"fsname".equals(name) && !"subtype".equals(name)
                    && !data.contains(o) && !helper.contains(o)) {
                helper.add(o); // flags like ro, nosuid: fusermount maps them itself
            }
        }
        helper.add(0, "fsname=" + fsname);
        helper.add(1, "subtype=" + subtype);
        return new Plan(fsname, "fuse." + subtype, flags, data, helper);
    }

    /** Whether this process mounts with mount(2) itself (root) rather than through fusermount. */
    static boolean asRoot() {
        return Credentials.fsuid() == 0;
    }

    /** Opens /dev/fuse and mounts it at {@code mountpoint}; returns the device fd. */
    static int mount(Path mountpoint, Plan plan) throws MountException {
        if (!asRoot()) {
            return mountWithHelper(mountpoint, plan);
        }
        int fd;
        try {
            fd = FuseDevice.open();
        } catch (NativeIoException e) {
            throw new MountException("cannot open /dev/fuse: " + e.getMessage(), e);
        }
        List<String> data = new ArrayList<>();
        data.add("fd=" + fd);
        data.add("rootmode=40000");
        data.add("user_id=" + Credentials.fsuid());
        data.add("group_id=" + Credentials.fsgid());
        data.addAll(plan.data());
        try {
            FuseDevice.mount(plan.source(), mountpoint.toString(), plan.type(), plan.flags(), String.join(",", data));
        } catch (NativeIoException e) {
            closeQuietly(fd);
            throw new MountException(e.getMessage(), e);
        }
        return fd;
    }

    /**
     * Aborts the FUSE connection mounted at {@code mountpoint} through fusectl
     * (/sys/fs/fuse/connections/MINOR/abort, MINOR the mount's device minor):
     * every request waiting on it fails at once. False when that cannot be done.
     */
    static boolean abort(Path mountpoint) {
        String dev = io.rsplicefs.fs.host.MountTable.deviceAt(mountpoint).orElse("");
        int colon = dev.indexOf(':');
        if (colon < 0) {
            return false;
        }
        try {
            Files.writeString(Path.of("/sys/fs/fuse/connections", dev.substring(colon + 1), "abort"), "1");
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    static void closeQuietly(int fd) {
        try {
            AtFiles.close(fd);
        } catch (NativeIoException ignored) {
            // nothing to do about a failed close of a device fd we give up on
        }
    }

    private static int mountWithHelper(Path mountpoint, Plan plan) throws MountException {
        String helper = Files.isExecutable(Path.of("/usr/bin/fusermount3")) ? "fusermount3"
                : Files.isExecutable(Path.of("/bin/fusermount")) || Files.isExecutable(Path.of("/usr/bin/fusermount"))
                ? "fusermount" : null;
        if (helper == null) {
            throw new MountException("mounting as a user needs fusermount3 or fusermount (apt-get install fuse3"
                    + " or fuse)");
        }
        try {
            return FuseDevice.mountWithHelper(helper, mountpoint.toString(), String.join(",", plan.helperOptions()));
        } catch (NativeIoException e) {
            throw new MountException(helper + " failed (" + e.errnoName() + "; its message, if any, is above)", e);
        }
    }
}
