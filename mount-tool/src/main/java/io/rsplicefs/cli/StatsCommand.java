package io.rsplicefs.cli;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.MountStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** rsplicefs stats: the live counters of a mount, as a table or as the raw JSON. */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Show the live counters of a rsplicefs mount.",
            "",
            "Per read path: requests, MiB, replies spliced or copied (and why), errors and, with --donate,"
                    + " how many sampled pages the kernel moved into its cache."})
final class StatsCommand implements Callable<Integer> {
    /** ANSI: cursor home, clear screen; only when stdout is a terminal. */
    private static final String CLEAR = "\033[H\033[2J";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MOUNTPOINT", description = "Where the filesystem is mounted.")
    Path mountpoint;

    @Option(names = "--json", description = "Print the counters as JSON (the schema the daemon serves in the xattr user.rsplicefs.stats).")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS",
            description = "Refresh every SECONDS until interrupted (Ctrl-C).")
    Double watch;

    @Override
    public Integer call() throws CliException {
        if (watch != null && !(watch >= 0.1 && watch <= 86400)) {
            throw new ParameterException(spec.commandLine(),
                    "--watch needs a number of seconds between 0.1 and 86400, not " + watch);
        }
        StatsSource source = StatsSource.of(MountTable.canonical(mountpoint));
        PrintWriter out = spec.commandLine().getOut();
        if (watch != null) {
            // Ctrl-C is how a watch ends: that is success, not the JVM's 130.
            Signals.handle(s -> {
                out.flush();
                System.exit(Main.EXIT_OK);
            }, "INT");
        }
        boolean clear = watch != null && !json && System.console() != null;
        while (true) {
            MountStats stats = source.read();
            if (clear) {
                out.print(CLEAR);
            }
            if (json) {
                out.println(stats.toJson());
            } else {
                if (watch != null) {
                    out.println("every " + watch + " s, at " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
                            + " (Ctrl-C to stop)");
                }
                out.print(StatsTable.render(stats));
            }
            out.flush();
            if (watch == null) {
                return Main.EXIT_OK;
            }
            try {
                Thread.sleep((long) (watch * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Main.EXIT_OK;
            }
            if (!json && !clear) {
                out.println();
            }
        }
    }
}
