package io.rsplicefs.cli;

/** A failure the user can act on: printed as one line "rsplicefs: message", never with a stack trace. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
