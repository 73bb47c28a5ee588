package io.rsplicefs.nativeio;

import java.io.IOException;

/** A failed system call: carries the errno, its symbolic name and the call that failed. */
public final class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String errnoName;
    private final String call;

    public NativeIoException(String call, int errno) {
        super(call + " failed: " + Errors.name(errno) + " (" + Errors.message(errno) + ")");
        this.call = call;
        this.errno = errno;
        this.errnoName = Errors.name(errno);
    }

    /** The positive errno value, e.g. 9 for EBADF. */
    public int errno() {
        return errno;
    }

    /** The symbolic name, e.g. "EBADF". */
    public String errnoName() {
        return errnoName;
    }

    /** The call that failed, e.g. "splice". */
    public String call() {
        return call;
    }
}
