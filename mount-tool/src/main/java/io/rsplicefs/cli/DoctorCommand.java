package io.rsplicefs.cli;

import io.rsplicefs.fs.Engine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** rsplicefs doctor: what this machine has and what works here, one line per check. */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Check what rsplicefs needs and what works on this machine.",
            "",
            "Checks /dev/fuse, fusermount, libfuse, the JNI helper, pipe-max-size, the kernel, whether it offers"
                    + " FUSE passthrough and FUSE over io_uring (optional: WARN without them), and which engine"
                    + " can mount (jnr-fuse needs libfuse.so.2 and fusermount; direct needs only /dev/fuse, and"
                    + " fusermount for non-root users); then mounts a tiny test filesystem with the default engine"
                    + " ($RSPLICEFS_ENGINE, else direct; the other one if it cannot) to see"
                    + " whether splice replies work and whether the kernel moves donated and gifted pages"
                    + " (the gift test may put up to two page dumps in the kernel log).",
            "Each line: OK, WARN (optional feature missing) or FAIL (the default configuration cannot work)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything the default configuration (read path auto, donation off) needs works",
            "1:something it needs is missing (a FAIL line)", "2:usage error"})
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Check> checks = new ArrayList<>();
        Check devFuse = SystemChecks.devFuse();
        Check libfuse = SystemChecks.libfuse();
        EngineChoice engines = EngineChoice.detect(devFuse, libfuse);
        for (Check c : SystemChecks.all(devFuse, libfuse, engines)) {
            print(out, c);
            checks.add(c);
        }
        // The experiments need what the checks above found; without it they only repeat the failure.
        boolean canMount = checks.stream().noneMatch(c -> c.status() == Check.Status.FAIL);
        Engine engine = engines.forExperiments();
        List<Check> probes = canMount && engine != null ? MountProbe.run(engine)
                : MountProbe.skipped("needs the failed checks above", false);
        for (Check c : probes) {
            print(out, c);
            checks.add(c);
        }
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL) ? Main.EXIT_FAILURE : Main.EXIT_OK;
    }

    private static void print(PrintWriter out, Check c) {
        out.println(c.line());
        out.flush(); // the mount experiments take a moment: show what is known so far
    }
}
