package io.rsplicefs.fs.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What /proc/PID/stat says about a process. Java's ProcessHandle counts a zombie as alive, and where nobody
 * reaps orphans (some container inits) a daemon that exited stays a zombie; so "running" is decided here.
 */
public final class ProcessStat {
    private ProcessStat() {
    }

    /** True when the process exists and is not a zombie (or dead). */
    public static boolean isRunning(long pid) {
        String[] f = fields(pid);
        return f != null && isRunningState(f[0]);
    }

    /** The start time in clock ticks since boot: together with the pid it names one process. */
    public static OptionalLong startTicks(long pid) {
        return longField(fields(pid), 22);
    }

    /** True when the process is running and is the one that started at {@code startTicks}. */
    public static boolean isSameRunning(long pid, long startTicks) {
        return isRunning(pid) && startTicks(pid).orElse(-1) == startTicks;
    }

    /**
     * utime + stime of a process in clock ticks (stat fields 14 and 15), which for a process (not a single task)
     * sum all its threads, those that already exited included.
     */
    public static OptionalLong cpuTicks(long pid) {
        String[] f = fields(pid);
        OptionalLong utime = longField(f, 14);
        OptionalLong stime = longField(f, 15);
        return utime.isPresent() && stime.isPresent() ? OptionalLong.of(utime.getAsLong() + stime.getAsLong())
                : OptionalLong.empty();
    }

    /** The state letter of a stat line: anything but a zombie or a dead process runs. */
    static boolean isRunningState(String state) {
        return !state.equals("Z") && !state.equals("X") && !state.equals("x");
    }

    /**
     * The fields of a stat line after "pid (comm)", the state (field 3) first; null when it has none. comm may
     * contain spaces and parentheses: it ends at the last ')'.
     */
    static String[] parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return null;
        }
        return stat.substring(close + 2).trim().split(" ");
    }

    /** Field {@code n} of stat(5) (1-based, as the manual numbers them), when there is one and it is a number. */
    static OptionalLong longField(String[] afterComm, int n) {
        int i = n - 3;
        if (afterComm == null || i < 0 || i >= afterComm.length) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(afterComm[i]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String[] fields(long pid) {
        try {
            return parse(ProcFile.read(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return null;
        }
    }
}
