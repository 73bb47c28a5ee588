package io.rsplicefs.fs.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a /proc or /sys file whole. Files.readString must not be used on them: /proc files report size 0,
 * so it starts with a one-byte read, and a sysctl file answers a read at a non-zero offset with EOF
 * (pipe-max-size "1048576" comes back as "1"). One large read per call gets the whole value.
 */
public final class ProcFile {
    private ProcFile() {
    }

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8); // reads 8 KiB at a time
        }
    }

    /** The value after {@code "key:"} on the first line that starts with it (whitespace trimmed), or null. */
    public static String field(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key + ":")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        return null;
    }
}
