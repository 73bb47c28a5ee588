package io.rsplicefs.cli;

import io.rsplicefs.fs.host.Capabilities;
import io.rsplicefs.fs.host.ProcFile;
import io.rsplicefs.fs.read.RspliceReader;
import io.rsplicefs.nativeio.NativeLibrary;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import jnr.ffi.LibraryLoader;

/**
 * The doctor's checks of what is installed and configured (no mount needed). Two engines need different
 * things: jnr-fuse needs libfuse.so.2 and fusermount; direct needs only /dev/fuse, and as non-root
 * fusermount3 or fusermount to mount (fusermount to unmount). What only one engine needs is a FAIL only
 * when the other cannot stand in for it.
 */
final class SystemChecks {
    private SystemChecks() {
    }

    /** Every check, in the doctor's order, given the results of those the engine choice is made from. */
    static List<Check> all(Check devFuse, Check libfuse, EngineChoice engines) {
        KernelFeatures k = KernelFeatures.detect();
        return List.of(devFuse, fusermount(engines), forDoctor(libfuse, engines), jniHelper(), pipeMaxSize(),
                kernel(), k.passthroughCheck(), k.ioUringCheck(), engines.check());
    }

    static Check devFuse() {
        Path dev = Path.of("/dev/fuse");
        if (!Files.exists(dev)) {
            return Check.fail("/dev/fuse", "missing: load the fuse module (modprobe fuse), or give the container"
                    + " the device (--device /dev/fuse)");
        }
        // Opening it is the real test (permissions, LSMs, a container's device cgroup); it mounts nothing.
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
            return Check.ok("/dev/fuse", "opens read/write for this user");
        } catch (IOException e) {
            return Check.fail("/dev/fuse", "cannot open read/write (" + e.getMessage() + "): run as root, or"
                    + " give this user rw access to /dev/fuse (group or mode 0666)");
        }
    }

    static Check fusermount(EngineChoice engines) {
        Optional<Path> f = onPath("fusermount");
        if (f.isEmpty()) {
            String fix = "not on PATH: install it (apt-get install fuse); the jnr-fuse engine (libfuse 2) mounts"
                    + " and unmounts with it";
            return engines.directUsable() && isRoot()
                    ? Check.warn("fusermount", fix + ", the direct engine needs none as root (--engine=direct)")
                    : Check.fail("fusermount", fix + ", and so does every non-root mount");
        }
        boolean setuid;
        try {
            setuid = (((Integer) Files.getAttribute(f.get(), "unix:mode")) & 04000) != 0
                    && ((Integer) Files.getAttribute(f.get(), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            setuid = false;
        }
        if (!setuid && !isRoot()) {
            return Check.warn("fusermount", f.get() + " is not setuid root: only root can mount"
                    + " (chmod u+s " + f.get() + ")");
        }
        return Check.ok("fusermount", f.get() + (setuid ? " (setuid root)" : ""));
    }

    /** The same library jnr-fuse loads, loaded the same way. */
    public interface FuseLib {
        int fuse_version();
    }

    static Check libfuse() {
        try {
            FuseLib lib = LibraryLoader.create(FuseLib.class).failImmediately().load("libfuse.so.2");
            int v = lib.fuse_version();
            return Check.ok("libfuse", "libfuse.so.2 loads (API " + v / 10 + "." + v % 10 + ")"
                    + mappedFile("libfuse.so").map(p -> ", " + p).orElse(""));
        } catch (LinkageError | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").trim(); // a check is one line
            return Check.fail("libfuse", LIBFUSE_MISSING + " (" + why
                    + "): install libfuse2 (apt-get install libfuse2) for the jnr-fuse engine");
        }
    }

    private static final String LIBFUSE_MISSING = "libfuse.so.2 does not load";

    /**
     * libfuse's check as the doctor reports it: without libfuse only the jnr-fuse engine is lost, a warning
     * when the direct engine can mount here.
     */
    static Check forDoctor(Check lib, EngineChoice engines) {
        if (lib.status() == Check.Status.OK || !engines.directUsable()) {
            return lib;
        }
        return Check.warn(lib.name(), LIBFUSE_MISSING + ": the jnr-fuse engine cannot mount here; use"
                + " --engine=direct (needs only /dev/fuse), or install libfuse2 (apt-get install libfuse2)");
    }

    static Check jniHelper() {
        if (NativeLibrary.isAvailable()) {
            return Check.ok("JNI helper", "librsplice loads");
        }
        return Check.fail("JNI helper", "does not load: " + NativeLibrary.unavailabilityCause().getMessage());
    }

    static Check pipeMaxSize() {
        int need = RspliceReader.PIPE_CAPACITY;
        int max = readInt("/proc/sys/fs/pipe-max-size", -1);
        String fix = "rsplice falls back to copying: sysctl -w fs.pipe-max-size=1048576";
        if (max < 0) {
            return Check.warn("pipe-max-size", "cannot read /proc/sys/fs/pipe-max-size; " + fix);
        }
        String have = max + " bytes (rsplice needs " + need + " = 128 KiB + 4 KiB per worker pipe)";
        if (max >= need) {
            return Check.ok("pipe-max-size", have);
        }
        if (Capabilities.hasSysResource()) {
            return Check.ok("pipe-max-size", have + "; too small, but this process has CAP_SYS_RESOURCE, which"
                    + " is not bound by it");
        }
        return Check.warn("pipe-max-size", have + "; " + fix);
    }

    static Check kernel() {
        String os = System.getProperty("os.name", "?");
        String version = System.getProperty("os.version", "?");
        if (!os.equals("Linux")) {
            return Check.fail("kernel", os + " " + version + ": rsplicefs needs Linux (splice, vmsplice, FUSE)");
        }
        return Check.ok("kernel", "Linux " + version + " " + System.getProperty("os.arch", ""));
    }

    static boolean isRoot() {
        return Libc.geteuid() == 0;
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Where a loaded shared library came from, per /proc/self/maps. */
    private static Optional<String> mappedFile(String namePart) {
        try {
            return ProcFile.read(Path.of("/proc/self/maps")).lines()
                    .map(l -> l.indexOf('/') >= 0 ? l.substring(l.indexOf('/')) : "")
                    .filter(p -> Path.of(p.isEmpty() ? "." : p).getFileName().toString().startsWith(namePart))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int readInt(String file, int fallback) {
        try {
            return Integer.parseInt(ProcFile.read(Path.of(file)).trim());
        } catch (IOException | NumberFormatException e) {
            return fallback;
        }
    }
}
