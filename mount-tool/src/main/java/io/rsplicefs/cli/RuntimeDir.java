package io.rsplicefs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where daemons leave their pid record and log, one pair per mount point:
 * $RSPLICEFS_RUNTIME_DIR if set, else /run/rsplicefs for root, else
 * $XDG_RUNTIME_DIR/rsplicefs, else /tmp/rsplicefs-UID.
 */
final class RuntimeDir {
    static final String ENV = "RSPLICEFS_RUNTIME_DIR";

    private final Path dir;

    private RuntimeDir(Path dir) {
        this.dir = dir;
    }

    /** The directory for this user; not created yet. */
    static RuntimeDir forCurrentUser() {
        String override = System.getenv(ENV);
        if (override != null && !override.isBlank()) {
            return new RuntimeDir(Path.of(override).toAbsolutePath());
        }
        int euid = euid();
        if (euid == 0 && Files.isDirectory(Path.of("/run"))) {
            return new RuntimeDir(Path.of("/run/rsplicefs"));
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
            return new RuntimeDir(Path.of(xdg, "rsplicefs"));
        }
        return new RuntimeDir(Path.of(System.getProperty("java.io.tmpdir"), "rsplicefs-" + euid));
    }

    private static int euid() {
        return Libc.geteuid(); // -1 if unknown: it only names the fallback directory
    }

    Path path() {
        return dir;
    }

    /** Creates the directory (private to this user) if needed. */
    RuntimeDir create() throws CliException {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            return this;
        } catch (IOException e) {
            throw new CliException("cannot create the runtime directory " + dir + " (" + e.getMessage()
                    + "); set " + ENV + " to a writable directory");
        }
    }

    /** The daemon record of a mount point. */
    Path recordFile(Path mountpoint) {
        return dir.resolve(key(mountpoint) + ".pid");
    }

    /** The daemon log of a mount point. */
    Path logFile(Path mountpoint) {
        return dir.resolve(key(mountpoint) + ".log");
    }

    /**
     * A file name for a mount point: readable ("mnt-data") plus a hash, so that
     * different paths that flatten alike ("/a-b", "/a/b") never share a name.
     */
    static String key(Path mountpoint) {
        String p = mountpoint.toString();
        String readable = p.replaceAll("[^A-Za-z0-9._]+", "-").replaceAll("^-+|-+$", "");
        if (readable.isEmpty()) {
            readable = "root";
        }
        if (readable.length() > 80) {
            readable = readable.substring(readable.length() - 80);
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(p.getBytes(StandardCharsets.UTF_8));
            return readable + "-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
