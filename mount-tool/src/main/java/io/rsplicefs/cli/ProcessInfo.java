package io.rsplicefs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What /proc/PID/stat says about a process. Java's ProcessHandle counts a
 * zombie as alive, and where nobody reaps orphans (some container inits) a
 * daemon that exited stays a zombie; so "running" is decided here.
 */
final class ProcessInfo {
    private ProcessInfo() {
    }

    /** True when the process exists and is not a zombie (or dead). */
    static boolean isRunning(long pid) {
        String[] f = statFields(pid);
        if (f == null) {
            return false;
        }
        String state = f[0];
        return !state.equals("Z") && !state.equals("X") && !state.equals("x");
    }

    /** The start time in clock ticks since boot: together with the pid it names one process. */
    static OptionalLong startTicks(long pid) {
        String[] f = statFields(pid);
        if (f == null || f.length < 20) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** True when the process is running and is the one that started at {@code startTicks}. */
    static boolean isSameRunning(long pid, long startTicks) {
        return isRunning(pid) && startTicks(pid).orElse(-1) == startTicks;
    }

    /** Fields after "pid (comm)": state first; null when there is no such process. */
    private static String[] statFields(long pid) {
        String s;
        try {
            s = ProcFiles.read(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        int close = s.lastIndexOf(')'); // comm may contain spaces and parentheses
        if (close < 0 || close + 2 > s.length()) {
            return null;
        }
        return s.substring(close + 2).trim().split(" ");
    }
}
