package io.rsplicefs.it.cli;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.ProcFile;
import io.rsplicefs.fs.host.ProcessExit;
import io.rsplicefs.fs.host.ProcessStat;
import io.rsplicefs.it.support.TimeScale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    /** Running (non-zombie) processes other than this one whose command line contains {@code marker}. */
    static List<Long> processesMentioning(String marker) {
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                long pid = Long.parseLong(p.getFileName().toString());
                try {
                    String cmdline = ProcFile.read(p.resolve("cmdline")).replace('\0', ' ');
                    if (pid != self && cmdline.contains(marker) && ProcessStat.isRunning(pid)) {
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

    /** Waits up to {@code millis} (times the time scale) for the process to exit; true when it did. */
    static boolean awaitExit(long pid, long millis) {
        return ProcessExit.await(pid, TimeScale.of(Duration.ofMillis(millis)));
    }

    /** Removes every mount and kills every process left under {@code base}; returns what there was. */
    static List<String> cleanUp(Path base) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        for (Path mp : MountTable.mountPointsUnder(base)) {
            found.add("mount " + mp);
            run("fusermount", "-u", "-z", mp.toString());
            if (MountTable.isMounted(mp)) {
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
}
