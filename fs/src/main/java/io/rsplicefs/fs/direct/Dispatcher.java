package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * Routes one request to its handler and makes sure it is answered exactly
 * once: a {@link NativeIoException} becomes its errno, an interrupted wait
 * EINTR, a malformed request EIO (counted), any other exception EIO
 * (counted as a failure of that operation), an unknown opcode ENOSYS
 * (counted). FORGET and BATCH_FORGET are never answered, as the protocol says.
 */
final class Dispatcher {
    private final FsCore core;
    private final Operations tree;
    private final FileOps files;
    private final DirOps dirs;
    private final DirectSession session;
    private final EngineCounters counters;

    Dispatcher(FsCore core, Operations tree, FileOps files, DirOps dirs, DirectSession session,
               EngineCounters counters) {
        this.core = core;
        this.tree = tree;
        this.files = files;
        this.dirs = dirs;
        this.session = session;
        this.counters = counters;
    }

    /** Handles the request in {@code q}; {@code pipeReadFd} >= 0 when a WRITE's payload waits in that pipe. */
    void handle(Request q, Reply out, ReplySender sender, int pipeReadFd) {
        answer(q, out, op -> route(op, q, out, sender, pipeReadFd));
    }

    /**
     * Handles a WRITE whose payload the kernel handed over as the writer's
     * pages (io_uring zero copy): only {@code drain} can reach them.
     */
    void handleWriteInPlace(Request q, Reply out, FsCore.InPlaceWrite drain) {
        answer(q, out, op -> {
            if (op != Fuse.WRITE) {
                throw new Request.Malformed(Fuse.opName(op) + " with a WRITE's pages");
            }
            files.writeInPlace(q, out, drain);
        });
    }

    /** What a well-formed request with opcode {@code op} is answered by. */
    @FunctionalInterface
    private interface Handler {
        void handle(int op) throws Exception;
    }

    private void answer(Request q, Reply out, Handler handler) {
        out.start(q.unique());
        int op = q.wellFormed() ? q.opcode() : -1;
        try {
            if (op < 0) {
                counters.malformed();
                out.error(Errno.EIO);
                return;
            }
            counters.request(op);
            handler.handle(op);
        } catch (NativeIoException e) {
            out.error(e.errno());
        } catch (InterruptedException e) {
            counters.interrupt();
            out.error(Errno.EINTR);
        } catch (Request.Malformed e) {
            counters.malformed();
            out.error(Errno.EIO);
        } catch (Throwable t) {
            core.stats().callbackFailure(Fuse.opName(op), t);
            out.error(Errno.EIO);
        } finally {
            if (!out.sent()) {
                counters.replyFailed();
                out.error(Errno.EIO);
            }
        }
    }

    private void route(int op, Request q, Reply out, ReplySender sender, int pipeReadFd) throws Exception {
        switch (op) {
            case Fuse.READ -> files.read(q, sender);
            case Fuse.WRITE -> {
                if (pipeReadFd >= 0) {
                    files.writeFromPipe(q, out, pipeReadFd);
                } else {
                    files.write(q, out);
                }
            }
            case Fuse.LOOKUP -> tree.lookup(q, out);
            case Fuse.FORGET -> {
                tree.forget(q);
                out.noReply();
            }
            case Fuse.BATCH_FORGET -> {
                tree.batchForget(q);
                out.noReply();
            }
            case Fuse.GETATTR -> tree.getattr(q, out);
            case Fuse.SETATTR -> tree.setattr(q, out);
            case Fuse.READLINK -> tree.readlink(q, out);
            case Fuse.SYMLINK -> tree.symlink(q, out);
            case Fuse.MKNOD -> tree.mknod(q, out);
            case Fuse.MKDIR -> tree.mkdir(q, out);
            case Fuse.UNLINK -> tree.unlink(q, out);
            case Fuse.RMDIR -> tree.rmdir(q, out);
            case Fuse.RENAME -> tree.rename(q, out, false);
            case Fuse.RENAME2 -> tree.rename(q, out, true);
            case Fuse.LINK -> tree.link(q, out);
            case Fuse.OPEN -> files.open(q, out);
            case Fuse.CREATE -> files.create(q, out);
            case Fuse.STATFS -> tree.statfs(out);
            case Fuse.RELEASE -> files.release(q, out);
            case Fuse.FSYNC -> files.fsync(q, out);
            // The engine keeps nothing to flush at close (writes reach the store when they arrive, locks
            // are the kernel's): ENOSYS once and the kernel stops sending FLUSH (no_flush), a request
            // per close saved.
            case Fuse.FLUSH -> out.error(Errno.ENOSYS);
            case Fuse.FSYNCDIR -> out.send();
            case Fuse.SETXATTR -> tree.setxattr(q, out);
            case Fuse.GETXATTR -> tree.xattrValue(q, out, false);
            case Fuse.LISTXATTR -> tree.xattrValue(q, out, true);
            case Fuse.REMOVEXATTR -> tree.removexattr(q, out);
            case Fuse.ACCESS -> tree.access(q, out);
            case Fuse.OPENDIR -> dirs.opendir(q, out);
            case Fuse.READDIR -> dirs.readdir(q, out, false);
            case Fuse.READDIRPLUS -> dirs.readdir(q, out, true);
            case Fuse.RELEASEDIR -> dirs.releasedir(q, out);
            case Fuse.FALLOCATE -> files.fallocate(q, out);
            case Fuse.LSEEK -> files.lseek(q, out);
            case Fuse.COPY_FILE_RANGE -> files.copyFileRange(q, out);
            case Fuse.INIT -> session.init(q, out);
            case Fuse.INTERRUPT -> session.interrupt(q, out);
            case Fuse.DESTROY -> out.send();
            default -> {
                counters.unknown();
                out.error(Errno.ENOSYS);
            }
        }
    }
}
