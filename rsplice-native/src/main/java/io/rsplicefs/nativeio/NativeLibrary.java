package io.rsplicefs.nativeio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the JNI helper once: from {@code java.library.path} first (library
 * name {@code rsplice}), else from {@code META-INF/native/} inside the jar,
 * extracted to a temporary directory ({@code -Drsplice.native.workdir=DIR}
 * overrides where). Availability is decided once and explained when missing.
 */
public final class NativeLibrary {
    /** System property naming the directory the library is extracted to. */
    public static final String WORKDIR_PROPERTY = "rsplice.native.workdir";

    private static volatile String loadedFrom = "nowhere";
    private static final Throwable UNAVAILABILITY_CAUSE = load();

    private NativeLibrary() {
    }

    /** True when the helper loaded and registered its natives. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why the helper is unavailable, or null when it is available. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws an {@link UnsatisfiedLinkError} that says why, when the helper is unavailable. */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError(
                    "rsplice native helper unavailable: " + UNAVAILABILITY_CAUSE.getMessage());
            e.initCause(UNAVAILABILITY_CAUSE);
            throw e;
        }
    }

    /** "java.library.path" or "the jar (extracted to DIR)": where the helper was loaded from. */
    public static String loadedFrom() {
        return loadedFrom;
    }

    static String resourceName() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            arch = "x86_64";
        } else if (arch.equals("arm64")) {
            arch = "aarch64";
        }
        return "META-INF/native/librsplice-linux-" + arch + ".so";
    }

    private static Throwable load() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return new UnsupportedOperationException("rsplice needs Linux (splice, vmsplice); this is " + os);
        }
        Throwable fromPath;
        try {
            System.loadLibrary("rsplice");
            loadedFrom = "java.library.path";
            return probe();
        } catch (UnsatisfiedLinkError e) {
            fromPath = e;
        }
        try {
            loadFromJar();
            return probe();
        } catch (Throwable e) {
            e.addSuppressed(fromPath);
            return e;
        }
    }

    /** One harmless call that fails if the natives were not registered. */
    private static Throwable probe() {
        try {
            if (NativeMethods.pageSize() <= 0) {
                return new IllegalStateException("sysconf(_SC_PAGESIZE) failed");
            }
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    private static void loadFromJar() throws IOException {
        String resource = resourceName();
        Path dir = Path.of(System.getProperty(WORKDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Path file;
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " in the jar: this build has no native helper for "
                        + System.getProperty("os.arch") + " (rebuild with gcc and make installed)");
            }
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "librsplice", ".so");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            System.load(file.toAbsolutePath().toString());
            loadedFrom = "the jar (extracted to " + dir + ")";
        } catch (UnsatisfiedLinkError e) {
            String hint = e.getMessage() != null && e.getMessage().contains("failed to map segment")
                    ? " (is " + dir + " mounted noexec? set -D" + WORKDIR_PROPERTY + "=<an exec dir>)"
                    : " (extracted to " + dir + "; if that directory is mounted noexec, set -D"
                            + WORKDIR_PROPERTY + "=<an exec dir>)";
            UnsatisfiedLinkError wrapped = new UnsatisfiedLinkError(e.getMessage() + hint);
            wrapped.initCause(e);
            throw wrapped;
        } finally {
            // Once loaded, the mapping keeps the library alive; the file is no longer needed.
            Files.deleteIfExists(file);
        }
    }
}
