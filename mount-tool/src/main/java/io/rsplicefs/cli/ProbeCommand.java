package io.rsplicefs.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rsplicefs.cli.probe.ProbeResult;
import io.rsplicefs.cli.probe.ProbeSetup;
import io.rsplicefs.cli.probe.ReadPathProbe;
import io.rsplicefs.fs.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** rsplicefs probe: what this kernel does with each read path's replies, measured on a small mount. */
@Command(name = "probe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Measure what this kernel does with the replies of each read path on one engine (--engine): for copy,"
                    + " fd, fd+donate, rsplice, rsplice+donate, auto, auto+donate, passthrough, uring-zc and gift,"
                    + " mount a mirror of a"
                    + " scratch directory, read"
                    + " a file through it from a cold cache (buffered, as applications read), and report from"
                    + " the filesystem's counters (every reply sampled) and mincore on the backing file whether"
                    + " replies were spliced, pages moved, or bytes copied.",
            "",
            "Verdicts: passed-through (FUSE passthrough: the kernel read the backing file itself), zero-copied"
                    + " (uring-zc, FUSE 7.46: READs filled in the reader's pages by io_uring read-fixed; needs"
                    + " enable_uring Y and root, else the reason is shown), moved (with donation, at least 90%% of the backing pages left the backing cache, by the"
                    + " counters and by mincore), partly-moved, spliced, copied, refused (gift: the kernel copies"
                    + " gifted pages, so gift fell back to rsplice), failed, wrong-data. The gift mount logs up"
                    + " to two \"trying to steal weird page\" dumps in the kernel log where the kernel refuses.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every setup was measured and read the right data (whatever the kernel did)",
            "1:a setup could not be measured or read wrong data", "2:usage error"})
final class ProbeCommand implements Callable<Integer> {
    private static final String ROW = "%-15s %-17s %s";

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the scratch directory goes (default"
            + " /var/tmp). Use a disk file system such as ext4: tmpfs pages never leave their cache.")
    Path dir = Path.of("/var/tmp");

    @Option(names = "--size", paramLabel = "MIB", description = "Size of the file read, in MiB (default 4).")
    int sizeMib = 4;

    @Option(names = "--json", description = "Print JSON instead of the table.")
    boolean json;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "${env:RSPLICEFS_ENGINE:-direct}",
            converter = EngineConverter.class, completionCandidates = EngineConverter.Candidates.class,
            description = "Who speaks the FUSE protocol for the probe's mounts: jnr-fuse or direct (default:"
                    + " $RSPLICEFS_ENGINE if set, else direct), as for rsplicefs mount.")
    Engine engine;

    @Override
    public Integer call() throws CliException, IOException {
        if (sizeMib < 1 || sizeMib > 1024) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--size must be 1 to 1024 MiB, not " + sizeMib);
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("--dir " + dir + " is not a directory");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<ProbeResult> results = new ArrayList<>();
        ReadPathProbe probe;
        try {
            MountPreflight.check(List.of(), engine); // one line with the fix, not eight failed mounts
            probe = ReadPathProbe.create(dir, sizeMib << 20, engine);
        } catch (IOException e) {
            throw new CliException("cannot create the probe's files in " + dir + ": " + e.getMessage(), e);
        }
        try (probe) {
            if (!json) {
                out.printf(Locale.ROOT, "kernel  %s, engine %s, a %d MiB file on %s read cold through each setup%n",
                        System.getProperty("os.version"), engine.id(), sizeMib, probe.sourceFsType());
                // What the kernel offers beyond splice; what a mount got is its passthrough setup's row (and stats).
                KernelFeatures.detect().beyondSplice().forEach(out::println);
                out.println();
                out.printf(Locale.ROOT, ROW + "%n", "SETUP", "RESULT", "MEASURED");
                out.flush();
            }
            for (ProbeSetup s : ProbeSetup.ALL) {
                ProbeResult r = probe.measure(s);
                results.add(r);
                if (!json) {
                    out.printf(Locale.ROOT, ROW + "%n", s.name(), r.cell(), r.detail());
                    out.flush(); // each mount takes a moment: show what is known so far
                }
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kernel", System.getProperty("os.version"));
                m.put("engine", engine.id());
                m.put("fileBytes", probe.fileSize());
                m.put("backingFs", probe.sourceFsType());
                KernelFeatures k = KernelFeatures.detect();
                m.put("passthrough", k.passthrough());
                m.put("ioUring", k.ioUring());
                m.put("setups", results.stream().map(ProbeResult::toMap).toList());
                out.println(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(m));
            }
        }
        out.flush();
        return results.stream().allMatch(ProbeResult::ok) ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
