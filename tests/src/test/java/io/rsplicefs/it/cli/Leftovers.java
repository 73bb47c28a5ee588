package io.rsplicefs.it.cli;

import io.rsplicefs.it.support.TimeScale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds and removes what a test may leave behind under its temporary
 * directory: mounts (lazily unmounted) and processes whose command line
 * names the directory (killed). Zombies do not count: on machines whose
 * init does not reap orphans, an exited daemon stays one.
 */
final class Leftovers {
    private Leftovers() {
    }

    /** Mount points at or under {@code base}, deepest first. */
    static List<Path> mountsUnder(Path base) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String line : Cli.readProc(Path.of("/proc/self/mountinfo")).split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                Path mp = Path.of(unescape(f[4]));
                if (mp.startsWith(base)) {
                    found.add(mp);
                }
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    static boolean isMounted(Path mp) throws IOException {
        return mountsUnder(mp).contains(mp);
    }

    /** Running (non-zombie) processes other than this one whose command line contains {@code marker}. */
    static List<Long> processesMentioning(String marker) {
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                long pid = Long.parseLong(p.getFileName().toString());
                try {
                    String cmdline = Cli.readProc(p.resolve("cmdline")).replace('\0', ' ');
                    if (pid != self && cmdline.contains(marker) && isRunning(pid)) {
                        pids.add(pid);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return pids;
    }

    /** Exists and is not a zombie. */
    static boolean isRunning(long pid) {
        try {
            String stat = Cli.readProc(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean awaitExit(long pid, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TimeScale.of(millis);
        while (isRunning(pid)) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Removes every mount and kills every process left under {@code base}; returns what there was. */
    static List<String> cleanUp(Path base) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        for (Path mp : mountsUnder(base)) {
            found.add("mount " + mp);
            run("fusermount", "-u", "-z", mp.toString());
            if (isMounted(mp)) {
                run("umount", "-l", mp.toString()); // not a FUSE mount (the tmpfs of a test)
            }
        }
        for (long pid : processesMentioning(base.toString())) {
            String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
            if (cmd.contains("fusermount")) {
                awaitExit(pid, 5000); // the lazy unmounts just started
                continue;
            }
            found.add("process " + pid + " " + cmd);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            awaitExit(pid, 5000);
        }
        return found;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(TimeScale.of(30), TimeUnit.SECONDS);
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return new String(b.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
