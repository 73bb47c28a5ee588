package io.rsplicefs.cli;

import io.rsplicefs.fs.MountException;
import java.util.List;

/**
 * The daemon child of a background mount ("mount --daemon-child ..." from
 * {@link DaemonLauncher}), started without picocli: its arguments are the
 * launcher's own ({@link MountRequest#daemonArgs()}), already checked, and
 * building picocli's model of every command was about 0.2 s of the child's
 * start, which every background mount waits for. Failures are reported as
 * {@link ErrorReporter} does: one "rsplicefs: " line, which the launcher
 * relays from the log.
 */
final class DaemonChild {
    private DaemonChild() {
    }

    /** Whether {@code args} start a daemon child. */
    static boolean isDaemonCall(String... args) {
        return args.length >= 2 && args[0].equals("mount") && args[1].equals(MountCommand.DAEMON_OPTION);
    }

    static int run(String... args) {
        try {
            MountRequest req = MountRequest.fromDaemonArgs(List.of(args).subList(2, args.length));
            return new ServingProcess(req, true, RuntimeDir.forCurrentUser()).serve();
        } catch (CliException | MountException e) {
            System.err.println(ErrorReporter.PREFIX + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (RuntimeException e) {
            System.err.println(ErrorReporter.PREFIX + "unexpected failure: " + e
                    + (ErrorReporter.debug() ? "" : " (set RSPLICEFS_DEBUG=1 for details)"));
            if (ErrorReporter.debug()) {
                e.printStackTrace();
            }
            return Main.EXIT_FAILURE;
        }
    }
}
