package io.rsplicefs.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads /proc/self/mountinfo: is a path a mount point, and of what type. */
public final class MountTable {
    private MountTable() {
    }

    /** The filesystem type mounted exactly at {@code path} (e.g. "fuse.rsplicefs"), if any (the topmost). */
    public static Optional<String> typeAt(Path path) {
        String want = path.toAbsolutePath().normalize().toString();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return Optional.empty();
        }
        String type = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 5 || !unescape(f[4]).equals(want)) {
                continue;
            }
            int dash = line.indexOf(" - ");
            if (dash >= 0) {
                type = line.substring(dash + 3).split(" ")[0];
            }
        }
        return Optional.ofNullable(type);
    }

    public static boolean isMounted(Path path) {
        return typeAt(path).isPresent();
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
