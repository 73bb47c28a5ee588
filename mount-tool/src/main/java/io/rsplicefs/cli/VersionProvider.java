package io.rsplicefs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * --version: the version from the jar manifest (Implementation-Version; "dev" when run from classes), then
 * one line for the engines (both, and the default) and one each for the kernel features found
 * ({@link KernelFeatures}). Mounts nothing.
 */
final class VersionProvider implements IVersionProvider {
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        List<String> lines = new ArrayList<>();
        lines.add("rsplicefs " + version());
        lines.add(line("engine", engine()));
        lines.addAll(KernelFeatures.detect().lines());
        return lines.toArray(String[]::new);
    }

    static String line(String name, String text) {
        return String.format(java.util.Locale.ROOT, "%-12s %s", name, text);
    }

    /**
     * Both engines and what each needs: jnr-fuse whether the libfuse 2 it loads is there, direct only
     * /dev/fuse (the kernel line says whether it is there); then the default a mount uses.
     */
    private static String engine() {
        String jnr = "jnr-fuse " + buildProperty("jnr-fuse.version");
        Check lib = SystemChecks.libfuse();
        jnr = lib.status() == Check.Status.OK ? jnr + " on " + lib.detail().replace("libfuse.so.2 loads ",
                "libfuse.so.2 ") : jnr + ", unusable: " + lib.detail();
        String env = System.getenv("RSPLICEFS_ENGINE");
        return jnr + "; direct (own protocol code on /dev/fuse, no libfuse); default "
                + EngineChoice.defaultEngine().id() + (env == null || env.isBlank() ? "" : " ($RSPLICEFS_ENGINE)");
    }

    private static String buildProperty(String key) {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // only a version string
        }
        return p.getProperty(key, "?");
    }
}
