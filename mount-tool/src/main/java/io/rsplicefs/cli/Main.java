package io.rsplicefs.cli;

import picocli.CommandLine;

/**
 * Entry point of the rsplicefs command line. Exit codes: 0 success, 1 failure
 * at run time, 2 usage error (picocli's invalid input).
 */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        ErrorReporter errors = new ErrorReporter();
        CommandLine cmd = new CommandLine(new RsplicefsCommand())
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors);
        exitCodes(cmd);
        return cmd;
    }

    /** Exit codes live in each command's spec; set them on every command, subcommands included. */
    private static void exitCodes(CommandLine cmd) {
        cmd.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE).exitCodeOnExecutionException(EXIT_FAILURE);
        cmd.getSubcommands().values().forEach(Main::exitCodes);
    }
}
