package io.rsplicefs.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmark reads from /proc. Never Files.readString on /proc files:
 * they report size 0; one stream read gets them whole.
 */
final class Proc {
    private static volatile long clockTicks;

    private Proc() {
    }

    /** The resident set of a process in KiB (VmRSS), 0 when it is gone. */
    static long rssKiB(long pid) {
        try {
            for (String line : read(Path.of("/proc/" + pid + "/status")).split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * utime + stime of a process in clock ticks: /proc/PID/stat fields 14 and 15,
     * which for a process (not a single task) sum all its threads, those that
     * already exited included.
     */
    static OptionalLong cpuTicks(long pid) {
        String s;
        try {
            s = read(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        int close = s.lastIndexOf(')'); // comm may contain spaces and parentheses
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] f = s.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12]
        try {
            return OptionalLong.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** True when the process exists and is not a zombie. */
    static boolean isRunning(long pid) {
        try {
            String s = read(Path.of("/proc", Long.toString(pid), "stat"));
            int close = s.lastIndexOf(')');
            char state = close >= 0 && close + 2 < s.length() ? s.charAt(close + 2) : 'X';
            return state != 'Z' && state != 'X' && state != 'x';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this process has CAP_SYS_RESOURCE (bit 24 of CapEff), which lifts fs.pipe-max-size. */
    static boolean hasCapSysResource() {
        try {
            for (String line : read(Path.of("/proc/self/status")).split("\n")) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> 24 & 1) == 1;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return false;
    }

    /**
     * An active DAMON "pageout" scheme (proactive reclaim, as some VMs run): it
     * evicts page cache that stayed idle, which the bench must allow for. Returns a
     * description, or null when there is none.
     */
    static String damonPageout() {
        Path kd = Path.of("/sys/kernel/mm/damon/admin/kdamonds");
        if (!Files.isDirectory(kd)) {
            return null;
        }
        try (var ds = Files.list(kd)) {
            for (Path d : ds.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                if (!read(d.resolve("state")).trim().equals("on")) {
                    continue;
                }
                try (var ss = Files.find(d.resolve("contexts"), 5,
                        (p, a) -> p.getFileName().toString().equals("action"))) {
                    for (Path action : ss.toList()) {
                        if (read(action).trim().equals("pageout")) {
                            return "DAMON kdamond " + d.getFileName() + " runs a pageout scheme (" + action.getParent()
                                    + ")";
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** Clock ticks per second (USER_HZ), from getconf; 100 on every Linux seen. */
    static long clockTicks() {
        long t = clockTicks;
        if (t > 0) {
            return t;
        }
        t = 100;
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                t = Long.parseLong(out);
            }
        } catch (IOException | RuntimeException e) {
            // keep 100
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clockTicks = t;
        return t;
    }

    /** A field of /proc/meminfo in bytes (the file says kB), or -1. */
    static long meminfo(String field) {
        try {
            for (String line : read(Path.of("/proc/meminfo")).split("\n")) {
                if (line.startsWith(field + ":")) {
                    String v = line.substring(field.length() + 1).trim().split("\\s+")[0];
                    return Long.parseLong(v) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** The CPU model name, from /proc/cpuinfo. */
    static String cpuModel() {
        try {
            for (String line : read(Path.of("/proc/cpuinfo")).split("\n")) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown CPU";
    }

    /** The kernel's full version line (/proc/version), first part only. */
    static String kernelRelease() {
        try {
            return read(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version", "?");
        }
    }

    /** The filesystem type holding {@code path} (longest mount point prefix in mountinfo), or "?". */
    static String fsType(Path path) {
        String p = path.toAbsolutePath().normalize().toString();
        String best = "";
        String type = "?";
        try {
            for (String line : read(Path.of("/proc/self/mountinfo")).split("\n")) {
                String[] f = line.split(" ");
                int dash = line.indexOf(" - ");
                if (f.length < 5 || dash < 0) {
                    continue;
                }
                String mp = f[4].replace("\\040", " ");
                boolean under = p.equals(mp) || p.startsWith(mp.endsWith("/") ? mp : mp + "/");
                if (under && mp.length() >= best.length()) {
                    best = mp;
                    type = line.substring(dash + 3).split(" ")[0];
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return type;
    }
}
