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

    /**
     * No stack trace: an errno is an answer, not a bug (a FUSE lookup of a name
     * that does not exist ends in ENOENT, an xattr that is not set in ENODATA,
     * thousands of times a second), and filling in a trace was the costliest
     * part of answering them. The message names the failed call.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
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
