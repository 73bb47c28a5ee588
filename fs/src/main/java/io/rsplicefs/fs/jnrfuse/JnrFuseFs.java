package io.rsplicefs.fs.jnrfuse;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.Caller;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Threads;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FuseBufvec;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The jnr-fuse front end: libfuse 2.9's path callbacks translated into
 * {@link FsCore} calls. It decides nothing; it knows libfuse's formats, and
 * when libfuse has sent a read reply (see {@link WorkerReplies}). Every
 * callback returns 0 or -errno and catches every Throwable (counted, returned
 * as -Errno.EIO): jffi would turn an escaping exception into 0, i.e. success.
 */
public class JnrFuseFs extends FuseStubFS {

    private final FsCore core;
    private final boolean debug;
    private final WorkerReplies workers = new WorkerReplies();
    private final CountDownLatch initialized = new CountDownLatch(1);
    /** Asked by the core only when it needs to know (a native call each time). */
    private final Supplier<Caller> caller = this::caller;
    private volatile boolean loopEnded;

    /** A callback body: returns 0 or a positive count, throws NativeIoException for -errno. */
    private interface Op {
        int run() throws Exception;
    }

    /** A callback body that answers 0 when it returns. */
    private interface VoidOp {
        void run() throws Exception;
    }

    public JnrFuseFs(FsCore core, boolean debug) {
        this.core = core;
        this.debug = debug;
        core.consumptionSweeper(workers::sweep);
    }

    public CountDownLatch initialized() {
        return initialized;
    }

    /** Called once libfuse's loop has returned: the mount is gone. */
    public void loopEnded() {
        loopEnded = true;
    }

    /**
     * jnr-fuse registers a JVM shutdown hook that calls this, and on Linux it
     * starts {@code fusermount -u -z} without waiting for it. Once the loop has
     * ended there is nothing of ours to unmount, and that late lazy unmount
     * could detach a newer mount at the same mount point; so it is skipped.
     */
    @Override
    public void umount() {
        if (!loopEnded) {
            super.umount();
        }
    }

    /** The worker is back, so its previous reply has been sent. Returns its tid (0 when nothing is tracked). */
    private int workerBack() {
        if (!core.tracksReplies()) {
            return 0;
        }
        int tid = Threads.currentTid();
        workers.back(tid);
        return tid;
    }

    private int guard(String op, Op body) {
        try {
            workerBack();
            return body.run();
        } catch (NativeIoException e) {
            return -e.errno();
        } catch (Throwable t) {
            return failed(op, t);
        }
    }

    private int ok(String op, VoidOp body) {
        return guard(op, () -> {
            body.run();
            return 0;
        });
    }

    private int failed(String op, Throwable t) {
        try {
            core.stats().callbackFailure(op, t);
            if (debug) {
                t.printStackTrace();
            }
        } catch (Throwable ignored) {
            // counting must never turn the -Errno.EIO into something else
        }
        return -Errno.EIO;
    }

    private Caller caller() {
        FuseContext c = getContext();
        return new Caller((int) c.uid.get(), (int) c.gid.get(), (int) c.pid.get());
    }

    @Override
    public Pointer init(Pointer conn) {
        initialized.countDown();
        return null;
    }

    @Override
    public int getattr(String path, ru.serce.jnrfuse.struct.FileStat stat) {
        return ok("getattr", () -> FuseStructs.fill(stat, core.getattr(path, caller)));
    }

    @Override
    public int fgetattr(String path, ru.serce.jnrfuse.struct.FileStat stat, FuseFileInfo fi) {
        return ok("fgetattr", () -> FuseStructs.fill(stat, core.fgetattr(fi.fh.get(), path, caller)));
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return ok("readdir", () -> FuseStructs.fillDir(filler, buf, core.readdir(path)));
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return guard("readlink", () -> FuseStructs.cString(core.readlink(path), buf, size));
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return ok("open", () -> fi.fh.set(core.open(path, fi.flags.get(), caller)));
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return ok("create", () -> fi.fh.set(core.create(path, fi.flags.get(), (int) mode, caller)));
    }

    @Override
    public int read_buf(String path, Pointer bufp, @size_t long size, @off_t long off, FuseFileInfo fi) {
        try {
            int tid = workerBack();
            ReadReply reply = core.read(fi.fh.get(), size, off);
            Bufvec.write(bufp, reply);
            // libfuse sends it on this thread once we return; it is consumed when the worker is seen again.
            workers.handedOver(tid, reply);
            return 0;
        } catch (NativeIoException e) {
            return -e.errno();
        } catch (Throwable t) {
            return failed("read_buf", t);
        }
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        // Only used if libfuse ever bypasses read_buf; reads straight into libfuse's buffer.
        return guard("read", () -> (int) core.readInto(fi.fh.get(), buf.address(), size, offset));
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("write", () -> (int) core.write(fi.fh.get(), buf.address(), size, offset));
    }

    /**
     * libfuse 2.9 prefers write_buf over write when both are set. With
     * {@code -o splice_read} (write path splice or auto) a large write
     * arrives as one pipe buffer (libfuse's per-thread pipe holding exactly
     * the payload); small writes, and every write without splice_read, arrive
     * in memory. The bufvec is read raw (see {@link Bufvec}).
     */
    @Override
    public int write_buf(String path, FuseBufvec buf, @off_t long off, FuseFileInfo fi) {
        return guard("write_buf", () -> (int) Bufvec.writeAll(Struct.getMemory(buf).address(), fi.fh.get(), off,
                core));
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return ok("release", () -> core.release(fi.fh.get()));
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return 0; // writes go straight to the store; the file is closed in release
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return ok("fsync", () -> core.fsync(fi.fh.get(), isdatasync != 0));
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return ok("truncate", () -> core.truncate(path, size));
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return ok("ftruncate", () -> core.ftruncate(fi.fh.get(), path, size));
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return ok("mkdir", () -> core.mkdir(path, (int) mode, caller));
    }

    @Override
    public int mknod(String path, @mode_t long mode, @dev_t long rdev) {
        return ok("mknod", () -> core.mknod(path, (int) mode, rdev, caller));
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        return ok("fallocate", () -> core.fallocate(fi.fh.get(), mode, off, length));
    }

    @Override
    public int unlink(String path) {
        return ok("unlink", () -> core.unlink(path));
    }

    @Override
    public int rmdir(String path) {
        return ok("rmdir", () -> core.rmdir(path));
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return ok("rename", () -> core.rename(oldpath, newpath));
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return ok("symlink", () -> core.symlink(oldpath, newpath, caller));
    }

    @Override
    public int link(String oldpath, String newpath) {
        return ok("link", () -> core.link(oldpath, newpath));
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return ok("chmod", () -> core.chmod(path, (int) mode));
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return ok("chown", () -> core.chown(path, (int) uid, (int) gid));
    }

    @Override
    public int utimens(String path, Timespec[] t) {
        return ok("utimens", () -> core.utimens(path, t[0].tv_sec.get(), t[0].tv_nsec.longValue(),
                t[1].tv_sec.get(), t[1].tv_nsec.longValue()));
    }

    @Override
    public int access(String path, int mask) {
        return ok("access", () -> core.access(path, mask, caller));
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return ok("statfs", () -> FuseStructs.fill(stbuf, core.statfs()));
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        return guard("getxattr", () -> FuseStructs.xattrReply(core.getxattr(path, name, caller), value, size));
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return ok("setxattr", () -> core.setxattr(path, name, FuseStructs.bytes(value, size), flags, caller));
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return guard("listxattr", () -> FuseStructs.xattrReply(core.listxattr(path, caller), list, size));
    }

    @Override
    public int removexattr(String path, String name) {
        return ok("removexattr", () -> core.removexattr(path, name, caller));
    }
}
