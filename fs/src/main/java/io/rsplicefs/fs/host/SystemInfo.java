package io.rsplicefs.fs.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What this machine is: kernel release, CPU model, memory figures, clock ticks (for reports). */
public final class SystemInfo {
    private static volatile long clockTicks;

    private SystemInfo() {
    }

    /** The kernel release (/proc/sys/kernel/osrelease), e.g. "6.1.0-57-amd64". */
    public static String kernelRelease() {
        try {
            return ProcFile.read(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version", "?");
        }
    }

    /** The CPU model name, from /proc/cpuinfo. */
    public static String cpuModel() {
        try {
            String model = ProcFile.field(ProcFile.read(Path.of("/proc/cpuinfo")).replace("\t", ""), "model name");
            if (model != null) {
                return model;
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown CPU";
    }

    /** A field of /proc/meminfo in bytes (the file says kB), or -1. */
    public static long meminfo(String field) {
        try {
            return meminfo(ProcFile.read(Path.of("/proc/meminfo")), field);
        } catch (IOException e) {
            return -1;
        }
    }

    static long meminfo(String text, String field) {
        String v = ProcFile.field(text, field);
        try {
            return v == null ? -1 : Long.parseLong(v.split("\\s+")[0]) * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Clock ticks per second (USER_HZ), from getconf; 100 on every Linux seen. */
    public static long clockTicks() {
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
}
