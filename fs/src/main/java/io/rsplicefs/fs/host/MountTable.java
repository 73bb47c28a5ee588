package io.rsplicefs.fs.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads /proc/self/mountinfo: is a path a mount point, of what type, what is mounted below a directory. */
public final class MountTable {
    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** One line of mountinfo: where it is mounted, the filesystem type ("fuse.rsplicefs") and the device. */
    record Entry(String mountPoint, String type, String device) {
    }

    private MountTable() {
    }

    /** The filesystem type mounted exactly at {@code path} (e.g. "fuse.rsplicefs"), if any (the topmost). */
    public static Optional<String> typeAt(Path path) {
        return topmostAt(path).map(Entry::type);
    }

    public static boolean isMounted(Path path) {
        return topmostAt(path).isPresent();
    }

    /** The mount device ("major:minor") mounted exactly at {@code path} (the topmost), if any. */
    public static Optional<String> deviceAt(Path path) {
        return topmostAt(path).map(Entry::device);
    }

    /** The last (topmost) mount exactly at {@code path}. */
    private static Optional<Entry> topmostAt(Path path) {
        String want = path.toAbsolutePath().normalize().toString();
        Entry top = null;
        for (Entry e : entries()) {
            if (e.mountPoint().equals(want)) {
                top = e;
            }
        }
        return Optional.ofNullable(top);
    }

    /** Mount points at or under {@code dir}, deepest first (the order to unmount them in). */
    public static List<Path> mountPointsUnder(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        for (Entry e : entries()) {
            Path mp = Path.of(e.mountPoint());
            if (mp.startsWith(base)) {
                found.add(mp);
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    /** The type of the filesystem holding {@code path} (the longest mount point above it), or "?". */
    public static String fsTypeHolding(Path path) {
        Path p = path.toAbsolutePath().normalize();
        String best = null;
        String type = "?";
        for (Entry e : entries()) {
            if (p.startsWith(e.mountPoint()) && (best == null || e.mountPoint().length() >= best.length())) {
                best = e.mountPoint();
                type = e.type();
            }
        }
        return type;
    }

    /**
     * The path as mountinfo names it: symlinks resolved where the path can be resolved (a missing path or a
     * dead FUSE mount cannot: then absolute and normalized).
     */
    public static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            return abs;
        }
    }

    private static List<Entry> entries() {
        try {
            return parse(ProcFile.read(MOUNTINFO));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The lines of a mountinfo text; malformed lines are skipped. */
    static List<Entry> parse(String mountinfo) {
        List<Entry> entries = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length < 5 || dash < 0) {
                continue;
            }
            entries.add(new Entry(unescape(f[4]), line.substring(dash + 3).split(" ")[0], f[2]));
        }
        return entries;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
                continue;
            }
            b.append(c);
        }
        return b.toString();
    }
}
