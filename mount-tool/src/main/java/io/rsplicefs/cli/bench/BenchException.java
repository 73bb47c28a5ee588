package io.rsplicefs.cli.bench;

/** A failure of the benchmark the user can act on: reported as one line, never with a stack trace. */
public final class BenchException extends Exception {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
