package io.rsplicefs.fs;

/** A mount or unmount that could not be done; the message says what and what to do about it. */
public final class MountException extends Exception {
    private static final long serialVersionUID = 1L;

    public MountException(String message) {
        super(message);
    }

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
