package io.rsplicefs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level command: only dispatches to its subcommands. */
@Command(name = "rsplicefs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A FUSE filesystem for a directory or a tar/zip archive whose reads are filled into pipes"
                + " (reverse splice).",
        subcommands = {MountCommand.class, UmountCommand.class, StatsCommand.class, DoctorCommand.class,
            BenchCommand.class, ProbeCommand.class})
final class RsplicefsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        // Reached only without a subcommand: that is a usage error, not a silent success.
        throw new ParameterException(spec.commandLine(),
                "missing command (one of: mount, umount, stats, doctor, bench, probe)");
    }
}
