package io.rsplicefs.fs.jnrfuse;

import io.rsplicefs.fs.EngineSession;
import io.rsplicefs.fs.core.FsCore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The jnr-fuse engine serving one mount: libfuse 2.9's loop on a thread of its own. */
public final class JnrFuseSession implements EngineSession {
    private final JnrFuseFs fs;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Throwable failure;

    private JnrFuseSession(JnrFuseFs fs) {
        this.fs = fs;
    }

    /** Starts libfuse's loop with these {@code -o} options; returns at once. */
    public static JnrFuseSession start(FsCore core, Path mountpoint, List<String> options, boolean singleThreaded,
                                       boolean debug) {
        JnrFuseFs fs = new JnrFuseFs(core, debug);
        JnrFuseSession s = new JnrFuseSession(fs);
        String[] args = singleThreaded
                ? new String[] {"-s", "-o", String.join(",", options)}
                : new String[] {"-o", String.join(",", options)};
        Thread loop = new Thread(() -> {
            try {
                fs.mount(mountpoint, true, debug, args);
            } catch (Throwable t) {
                s.failure = t;
            } finally {
                fs.loopEnded();
                s.ended.countDown();
            }
        }, "rsplicefs-fuse-loop");
        loop.setDaemon(true);
        loop.start();
        return s;
    }

    @Override
    public boolean initialized() {
        return fs.initialized().getCount() == 0;
    }

    @Override
    public CountDownLatch ended() {
        return ended;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    /** jnr-fuse's umount: fuse_exit, then a lazy fusermount, which detaches whatever is left. */
    @Override
    public void forceEnd() {
        fs.umount();
    }

    @Override
    public String describe() {
        return "libfuse's loop";
    }
}
