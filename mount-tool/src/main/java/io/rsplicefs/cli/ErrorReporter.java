package io.rsplicefs.cli;

import io.rsplicefs.fs.MountException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into what the user sees on stderr: usage errors as one line
 * plus the command's usage (exit 2); run-time failures as one line (exit 1).
 * Stack traces only for bugs, and only with RSPLICEFS_DEBUG=1.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final String PREFIX = "rsplicefs: ";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(PREFIX + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.print(cmd.getUsageMessage(cmd.getColorScheme()));
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (ex instanceof CliException || ex instanceof MountException) {
            err.println(PREFIX + ex.getMessage());
        } else {
            // Not a user error but a bug: say what, and how to see where.
            err.println(PREFIX + "unexpected failure: " + ex
                    + (debug() ? "" : " (set RSPLICEFS_DEBUG=1 for details)"));
            if (debug()) {
                ex.printStackTrace(err);
            }
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    static boolean debug() {
        return "1".equals(System.getenv("RSPLICEFS_DEBUG"));
    }
}
