package io.rsplicefs.fs;

import java.util.concurrent.CountDownLatch;

/** One engine serving one mount, as {@link FuseMount} sees it: started, initialized, ended. */
public interface EngineSession {
    /** Whether the kernel's INIT has been answered (the mount can serve). */
    boolean initialized();

    /** Counted down once the engine stopped serving (unmounted, aborted, or failed). */
    CountDownLatch ended();

    /** Why the engine stopped, if it failed; null otherwise. */
    Throwable failure();

    /** After an unmount that did not end the engine in time: make it stop (a lazy detach). */
    void forceEnd();

    /** The engine's name for messages ("libfuse's loop", "the direct engine"). */
    String describe();
}
