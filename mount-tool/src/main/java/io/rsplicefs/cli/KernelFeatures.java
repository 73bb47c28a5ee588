package io.rsplicefs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What this kernel offers FUSE, found without mounting (for --version): the release, /dev/fuse, and for
 * passthrough and io_uring what the kernel's version, its config (/proc/config.gz or
 * /boot/config-RELEASE) and the fuse module's parameters say. Splicing and donation depend on what the
 * kernel does with a real reply; only a mount can show that (rsplicefs probe), and the lines say so.
 */
record KernelFeatures(String release, int major, int minor, Optional<String> configSource, String config,
                      boolean devFuse, Optional<String> enableUring) {
    private static final Path URING_PARAM = Path.of("/sys/module/fuse/parameters/enable_uring");

    static KernelFeatures detect() {
        String release = System.getProperty("os.version", "?");
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
        int minor = major > 0 ? Integer.parseInt(m.group(2)) : 0;
        Optional<String> source = Optional.empty();
        String config = "";
        for (Path p : List.of(Path.of("/proc/config.gz"), Path.of("/boot/config-" + release))) {
            Optional<String> c = readConfig(p);
            if (c.isPresent()) {
                source = Optional.of(p.toString());
                config = c.get();
                break;
            }
        }
        Optional<String> uring;
        try (InputStream in = Files.newInputStream(URING_PARAM)) { // sysfs: one read gets it all
            uring = Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            uring = Optional.empty();
        }
        return new KernelFeatures(release, major, minor, source, config, Files.exists(Path.of("/dev/fuse")),
                uring);
    }

    /** What the kernel offers beyond splice: the passthrough and io_uring lines alone (rsplicefs probe). */
    List<String> beyondSplice() {
        return List.of(VersionProvider.line("passthrough", passthrough()), VersionProvider.line("io_uring", ioUring()));
    }

    List<String> lines() {
        return List.of(
                VersionProvider.line("kernel", "Linux " + release + ", /dev/fuse "
                        + (devFuse ? "present" : "missing (modprobe fuse)")),
                VersionProvider.line("splice", "yes: splice(2) is in every Linux since 2.6.17 (read paths fd,"
                        + " rsplice, auto); whether FUSE takes the spliced replies shows only in a mount:"
                        + " rsplicefs probe"),
                VersionProvider.line("donation", "splice_move (--donate): FUSE moves donated pages only if the"
                        + " kernel accepts them, which no file shows; rsplicefs probe measures it (6.1 and 6.18"
                        + " do, KERNELS.md)"),
                VersionProvider.line("passthrough", passthrough()),
                VersionProvider.line("io_uring", ioUring()));
    }

    /** rsplicefs doctor's passthrough line: OK where the kernel has it, else WARN (an optional feature). */
    Check passthroughCheck() {
        boolean has = (major > 6 || (major == 6 && minor >= 9))
                && !configSays("CONFIG_FUSE_PASSTHROUGH").map(c -> c.contains("not set")).orElse(false);
        return has ? Check.ok("passthrough", passthrough()) : Check.warn("passthrough", passthrough());
    }

    /** rsplicefs doctor's io_uring line: OK when enable_uring is on, else WARN (an optional feature). */
    Check ioUringCheck() {
        boolean on = enableUring.map(v -> v.equalsIgnoreCase("Y") || v.equals("1")).orElse(false);
        return on ? Check.ok("io_uring", ioUring())
                : Check.warn("io_uring", ioUring().replace("(off)", "(off; root: echo Y > " + URING_PARAM + ")"));
    }

    /** Who uses io_uring: one wording for every io_uring line. */
    static final String URING_USE = "direct engine with --transport=uring, where the kernel agrees at INIT (else"
            + " /dev/fuse, and stats say why); jnr-fuse: libfuse 2.9 has none";

    /**
     * FUSE passthrough came in 6.9 (CONFIG_FUSE_PASSTHROUGH); libfuse 2.9 cannot ask for it. Whether a mount
     * got it is in its stats (INIT's answer and the daemon's CAP_SYS_ADMIN decide).
     */
    String passthrough() {
        boolean versionHasIt = major > 6 || (major == 6 && minor >= 9);
        String has = versionHasIt ? "kernel " + major + "." + minor + " >= 6.9" : "no: kernel " + major + "." + minor
                + " < 6.9";
        if (versionHasIt) {
            has += configSays("CONFIG_FUSE_PASSTHROUGH").map(c -> ", " + c).orElse(", config not readable");
        }
        return has + "; direct engine as root: --read-path=passthrough and auto (stats: passthrough; jnr-fuse:"
                + " libfuse 2.9 has none)";
    }

    /** FUSE over io_uring came in 6.14: the fuse module's parameter enable_uring exists then. */
    String ioUring() {
        String cfg = configSays("CONFIG_FUSE_IO_URING").map(c -> ", " + c).orElse("");
        if (enableUring.isEmpty()) {
            return "no: " + URING_PARAM + " is absent (FUSE over io_uring came in 6.14)" + cfg
                    + "; " + URING_USE;
        }
        boolean on = enableUring.get().equalsIgnoreCase("Y") || enableUring.get().equals("1");
        return URING_PARAM.getFileName() + "=" + enableUring.get() + " (" + (on ? "on" : "off") + ")" + cfg
                + "; " + URING_USE;
    }

    /** "CONFIG_X=y in /proc/config.gz", "CONFIG_X not set in ...", or empty when no config was readable. */
    private Optional<String> configSays(String key) {
        if (configSource.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("(?m)^" + key + "=(\\S+)").matcher(config);
        return Optional.of(m.find() ? key + "=" + m.group(1) + " in " + configSource.get()
                : key + " not set in " + configSource.get());
    }

    private static Optional<String> readConfig(Path p) {
        if (!Files.isReadable(p)) {
            return Optional.empty();
        }
        try (InputStream raw = Files.newInputStream(p);
             InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
