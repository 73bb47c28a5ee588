package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.host.ProcFile;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The peers a user would pick instead of rsplicefs: bindfs (Debian package)
 * and libfuse 3's passthrough_ll example, compiled here from Debian's
 * libfuse3-dev example sources with splice write and splice move switched on
 * in its init (the patched C lives only in the run's temporary directory).
 * Debian 12's fuse3 package breaks fuse (libfuse 2, which rsplicefs needs), so
 * it is never installed: as root, libfuse 3 mounts without fusermount3, and
 * libfuse 2's fusermount unmounts. A peer that cannot be had is skipped with a
 * note; the run goes on.
 */
final class PeerSetup {
    static final String PASSTHROUGH_HP = "passthrough_hp";
    static final List<String> IDS = List.of("bindfs", "passthrough_ll", PASSTHROUGH_HP);
    /** A passthrough_hp binary of libfuse 3.17+ (FUSE passthrough), built by the user: Debian 12 has none. */
    static final String PASSTHROUGH_HP_ENV = "RSPLICEFS_PASSTHROUGH_HP";
    static final Path EXAMPLES = Path.of("/usr/share/doc/libfuse3-dev/examples");
    /** What passthrough_ll's init gets, right after its first line. */
    static final String SPLICE_PATCH = "\tconn->want |= conn->capable & (FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);"
            + " /* added by rsplicefs bench */";

    private final Children children;
    private final Path workDir;
    private final boolean install;
    private final Consumer<String> progress;
    private final List<String> notes = new ArrayList<>();

    /** @param install whether missing packages may be installed (--with-peers) */
    PeerSetup(Children children, Path workDir, boolean install, Consumer<String> progress) {
        this.children = children;
        this.workDir = workDir;
        this.install = install;
        this.progress = progress;
    }

    /** Why peers were skipped, and how they were set up. */
    List<String> notes() {
        return notes;
    }

    /** bindfs with its default options, or empty (with a note). */
    Optional<PeerTarget> bindfs(Path source, Path mountpoint, String fileName, Path log) throws BenchException {
        Optional<Path> bin = onPath("bindfs");
        if (bin.isEmpty()) {
            Optional<String> failed = aptInstall(List.of("bindfs"));
            if (failed.isPresent()) {
                notes.add("bindfs: skipped, " + failed.get());
                return Optional.empty();
            }
            bin = onPath("bindfs");
            if (bin.isEmpty()) {
                notes.add("bindfs: skipped, installed but not on PATH");
                return Optional.empty();
            }
        }
        String version = firstLine(children.run(new ProcessBuilder(bin.get().toString(), "--version"), 30).output());
        notes.add("bindfs: " + version + ", default options (single-threaded libfuse 2 loop, no splice)");
        return Optional.of(new PeerTarget("bindfs", List.of(bin.get().toString(), "-f", source.toString(),
                mountpoint.toString()), mountpoint, fileName, log, version));
    }

    /** passthrough_ll built from the libfuse3-dev examples with splice on, or empty (with a note). */
    Optional<PeerTarget> passthroughLl(Path source, Path mountpoint, String fileName, Path log)
            throws BenchException {
        if (!isRoot()) {
            notes.add("passthrough_ll: skipped, needs root (without the fuse3 package there is no fusermount3,"
                    + " so libfuse 3 can mount only as root)");
            return Optional.empty();
        }
        List<String> missing = new ArrayList<>();
        if (exampleSource("passthrough_ll.c").isEmpty() || !Files.exists(Path.of("/usr/include/fuse3"))) {
            missing.add("libfuse3-dev");
        }
        if (onPath("pkg-config").isEmpty()) {
            missing.add("pkg-config");
        }
        if (onPath("gcc").isEmpty()) {
            missing.add("gcc");
            missing.add("libc6-dev");
        }
        if (!missing.isEmpty()) {
            Optional<String> failed = aptInstall(missing);
            if (failed.isPresent()) {
                notes.add("passthrough_ll: skipped, " + failed.get());
                return Optional.empty();
            }
        }
        Optional<String> built = build();
        if (built.isPresent()) {
            notes.add("passthrough_ll: skipped, " + built.get());
            return Optional.empty();
        }
        String version = firstLine(children.run(new ProcessBuilder("pkg-config", "--modversion", "fuse3"), 30)
                .output());
        notes.add("passthrough_ll: libfuse " + version + " example (" + EXAMPLES + "), compiled with lo_init"
                + " patched to want FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE; multithreaded, default cache");
        return Optional.of(new PeerTarget("passthrough_ll", List.of(workDir.resolve("passthrough_ll").toString(),
                "-f", "-o", "source=" + source, mountpoint.toString()), mountpoint, fileName, log,
                "libfuse " + version + " + splice_write/splice_move"));
    }

    /**
     * libfuse's passthrough_hp with FUSE passthrough (its default), the C server the passthrough read path is
     * measured against. Debian 12's libfuse3-dev ships the 3.14 example, which predates FUSE passthrough
     * (libfuse 3.17), so it is not built from there: it runs when {@value #PASSTHROUGH_HP_ENV} names a binary
     * built from newer libfuse sources, else it is skipped with a note.
     */
    Optional<PeerTarget> passthroughHp(Path source, Path mountpoint, String fileName, Path log) {
        String bin = System.getenv(PASSTHROUGH_HP_ENV);
        if (bin == null || bin.isBlank()) {
            notes.add("passthrough_hp: skipped, Debian 12's libfuse3 (3.14) has no FUSE passthrough (libfuse 3.17+);"
                    + " set " + PASSTHROUGH_HP_ENV + " to a passthrough_hp built from libfuse 3.17 or later to"
                    + " measure it");
            return Optional.empty();
        }
        if (!Files.isExecutable(Path.of(bin))) {
            notes.add("passthrough_hp: skipped, " + PASSTHROUGH_HP_ENV + "=" + bin + " is not an executable file");
            return Optional.empty();
        }
        if (!isRoot()) {
            notes.add("passthrough_hp: skipped, FUSE passthrough needs root (CAP_SYS_ADMIN)");
            return Optional.empty();
        }
        notes.add("passthrough_hp: " + bin + " (" + PASSTHROUGH_HP_ENV + "), its defaults: FUSE passthrough on,"
                + " multithreaded");
        return Optional.of(new PeerTarget(PASSTHROUGH_HP, List.of(bin, "--foreground", source.toString(),
                mountpoint.toString()), mountpoint, fileName, log, "libfuse passthrough_hp, FUSE passthrough"));
    }

    /** Copies, patches and compiles passthrough_ll; returns why not, if it could not. */
    private Optional<String> build() throws BenchException {
        Optional<Path> src = exampleSource("passthrough_ll.c");
        if (src.isEmpty()) {
            return Optional.of("no passthrough_ll.c under " + EXAMPLES);
        }
        String c;
        try {
            Files.createDirectories(workDir);
            c = readMaybeGz(src.get());
            for (String h : List.of("passthrough_helpers.h")) {
                Optional<Path> hp = exampleSource(h);
                if (hp.isPresent()) {
                    Files.writeString(workDir.resolve(h), readMaybeGz(hp.get()), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            return Optional.of("cannot copy the example sources: " + e.getMessage());
        }
        Optional<String> patched = patchInit(c);
        if (patched.isEmpty()) {
            return Optional.of("its lo_init was not found, so splice could not be switched on");
        }
        Path out = workDir.resolve("passthrough_ll.c");
        try {
            Files.writeString(out, patched.get(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.of("cannot write " + out + ": " + e.getMessage());
        }
        Children.Result flags = children.run(new ProcessBuilder("pkg-config", "fuse3", "--cflags", "--libs"), 30);
        if (!flags.ok()) {
            return Optional.of("pkg-config fuse3 failed: " + flags.output().trim());
        }
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", "passthrough_ll",
                "passthrough_ll.c"));
        cmd.addAll(Arrays.asList(flags.output().trim().split("\\s+")));
        progress.accept("compiling passthrough_ll: " + String.join(" ", cmd));
        Children.Result gcc = children.run(new ProcessBuilder(cmd).directory(workDir.toFile()), 300);
        if (!gcc.ok()) {
            return Optional.of("it did not compile: " + gcc.output().trim());
        }
        return Optional.empty();
    }

    /** Inserts {@link #SPLICE_PATCH} as the first statement after lo_init's local declaration. */
    static Optional<String> patchInit(String c) {
        int fn = c.indexOf("static void lo_init(");
        if (fn < 0) {
            return Optional.empty();
        }
        int brace = c.indexOf('{', fn);
        if (brace < 0) {
            return Optional.empty();
        }
        // after the first line of the body (the "struct lo_data *lo = ..." declaration: C90 style keeps it first)
        int firstLineEnd = c.indexOf('\n', c.indexOf(';', brace));
        if (firstLineEnd < 0) {
            return Optional.empty();
        }
        return Optional.of(c.substring(0, firstLineEnd + 1) + SPLICE_PATCH + "\n" + c.substring(firstLineEnd + 1));
    }

    private static Optional<Path> exampleSource(String name) {
        for (Path p : List.of(EXAMPLES.resolve(name), EXAMPLES.resolve(name + ".gz"))) {
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String readMaybeGz(Path p) throws IOException {
        try (InputStream raw = Files.newInputStream(p);
             InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * apt-get install of {@code packages}, only if the simulation removes
     * nothing (fuse3 would remove fuse, which rsplicefs needs). Returns why
     * not, if they could not be installed.
     */
    Optional<String> aptInstall(List<String> packages) throws BenchException {
        String what = String.join(" ", packages);
        if (!install) {
            return Optional.of("not installed (" + what + "); --with-peers installs it");
        }
        if (!isRoot()) {
            return Optional.of("not installed, and only root can install it (apt-get install " + what + ")");
        }
        if (onPath("apt-get").isEmpty()) {
            return Optional.of("not installed, and there is no apt-get here to install " + what);
        }
        List<String> sim = new ArrayList<>(List.of("apt-get", "-s", "install", "-y", "--no-install-recommends"));
        sim.addAll(packages);
        Children.Result s = children.run(apt(sim), 300);
        if (!s.ok()) {
            progress.accept("apt-get update (to install " + what + ") ...");
            children.run(apt(List.of("apt-get", "update", "-qq")), 600);
            s = children.run(apt(sim), 300);
            if (!s.ok()) {
                return Optional.of("apt-get cannot install " + what + ": " + lastLines(s.output()));
            }
        }
        List<String> removed = s.output().lines().filter(l -> l.startsWith("Remv ")).map(l -> l.split(" ")[1])
                .toList();
        if (!removed.isEmpty()) {
            return Optional.of("installing " + what + " would remove " + String.join(", ", removed));
        }
        progress.accept("installing " + what + " (apt-get) ...");
        List<String> inst = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"));
        inst.addAll(packages);
        Children.Result r = children.run(apt(inst), 900);
        if (!r.ok()) {
            return Optional.of("apt-get install " + what + " failed: " + lastLines(r.output()));
        }
        return Optional.empty();
    }

    private static ProcessBuilder apt(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File("/"));
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        return pb;
    }

    static boolean isRoot() {
        try {
            for (String line : ProcFile.read(Path.of("/proc/self/status")).split("\n")) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return false;
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(path == null ? List.of() : Arrays.asList(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String firstLine(String s) {
        return s.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("?");
    }

    private static String lastLines(String s) {
        List<String> l = s.lines().map(String::trim).filter(x -> !x.isEmpty()).toList();
        return String.join("; ", l.subList(Math.max(0, l.size() - 3), l.size()));
    }
}
