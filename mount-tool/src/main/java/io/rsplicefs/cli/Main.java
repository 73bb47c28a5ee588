package io.rsplicefs.cli;

import java.util.List;
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
        if (DaemonLauncher.launchesAtOnce(args)) {
            // A background mount: its daemon JVM parses the arguments; this one only waits for it.
            try {
                return new DaemonLauncher(List.of(args)).launch();
            } catch (CliException e) {
                System.err.println(ErrorReporter.PREFIX + e.getMessage());
                return EXIT_FAILURE;
            }
        }
        return parseAndRun(args);
    }

    private static int parseAndRun(String... args) {
        CommandLine cmd = commandLine();
        if (MountHelper.isHelperCall(args, cmd.getSubcommands().keySet())) {
            // mount.fuse's call for mount -t fuse.rsplicefs and /etc/fstab: SOURCE MOUNTPOINT -o OPTS
            try {
                return cmd.execute(MountHelper.toMountArgs(args).toArray(String[]::new));
            } catch (MountHelper.BadOption e) {
                cmd.getErr().println(ErrorReporter.PREFIX + e.getMessage() + " (see rsplicefs --help or man rsplicefs)");
                cmd.getErr().flush();
                return EXIT_USAGE;
            }
        }
        return cmd.execute(args);
    }

    /** The whole command line as run: also what the man page and the shell completion are made from. */
    public static CommandLine commandLine() {
        ErrorReporter errors = new ErrorReporter();
        CommandLine cmd = new CommandLine(new RsplicefsCommand())
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors);
        cmd.getCommandSpec().usageMessage()
                .footerHeading("%nMounting with mount(8) and /etc/fstab:%n")
                .footer(MountHelper.helpSection());
        exitCodes(cmd);
        return cmd;
    }

    /** Exit codes live in each command's spec; set them on every command, subcommands included. */
    private static void exitCodes(CommandLine cmd) {
        cmd.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE).exitCodeOnExecutionException(EXIT_FAILURE);
        cmd.getSubcommands().values().forEach(Main::exitCodes);
    }
}
