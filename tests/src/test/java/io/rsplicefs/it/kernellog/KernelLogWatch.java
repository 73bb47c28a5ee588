package io.rsplicefs.it.kernellog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the kernel log for the whole test run and judges every record
 * logged after the run started (KernelLogJudge). The ring buffer is small
 * (128 KiB here, about 200 page dumps), so a thread waits in poll(2) and
 * drains it as soon as anything is logged; opening and closing a gift
 * window drains it first, so each record is judged by the window it was
 * logged in.
 */
final class KernelLogWatch {
    private static final Object LOCK = new Object();
    private static KernelLogWatch running;
    private static String unavailable = "not started (KernelLogListener did not run)";

    private final KmsgReader reader;
    private final KernelLogJudge judge = new KernelLogJudge();
    private final Thread poller;
    private volatile boolean stopped;

    private KernelLogWatch(KmsgReader reader) {
        this.reader = reader;
        this.poller = new Thread(this::poll, "kernel-log-watch");
        this.poller.setDaemon(true);
    }

    /** Starts watching from now: what the log already holds is skipped. */
    static void start() {
        synchronized (LOCK) {
            if (running != null) {
                return;
            }
            try {
                KmsgReader r = KmsgReader.open();
                r.drain(new KmsgReader.Sink() {
                    @Override
                    public void record(KmsgRecord rec) {
                        // logged before the run
                    }

                    @Override
                    public void lost(long from, long to) {
                        // overwritten before the run
                    }
                });
                running = new KernelLogWatch(r);
                running.poller.start();
            } catch (IOException | RuntimeException | LinkageError e) {
                unavailable = String.valueOf(e.getMessage());
            }
        }
    }

    /** The watch of this run, or null (then {@link #unavailable()} says why). */
    static KernelLogWatch running() {
        synchronized (LOCK) {
            return running;
        }
    }

    static String unavailable() {
        synchronized (LOCK) {
            return unavailable;
        }
    }

    static void stop() {
        KernelLogWatch w;
        synchronized (LOCK) {
            w = running;
            running = null;
            unavailable = "stopped";
        }
        if (w != null) {
            w.close();
        }
    }

    private void poll() {
        while (!stopped) {
            reader.await(100); // not under the lock: windows open and close meanwhile
            drain();
        }
    }

    private synchronized void drain() {
        if (stopped) {
            return;
        }
        try {
            reader.drain(judge);
        } catch (IOException e) {
            judge.unreadable(e.getMessage());
        }
    }

    synchronized void enterWindow(String label) {
        drain();
        judge.enterWindow(label, taint());
    }

    synchronized void leaveWindow() {
        drain();
        judge.leaveWindow(taint());
    }

    /** Drains first, so that what was logged before is told apart from what the test logs. */
    synchronized void test(String name) {
        drain();
        judge.test(name);
    }

    synchronized Map<String, Integer> idleRefusals() {
        return new LinkedHashMap<>(judge.idleRefusals());
    }

    /** /proc/sys/kernel/tainted: bits the kernel sets for good on a warning (W), oops (D), bad page (B), ... */
    private static long taint() {
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/tainted"))) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Everything logged up to now, judged. */
    synchronized List<String> findings() {
        drain();
        return judge.findings();
    }

    synchronized Map<String, Integer> giftDumps() {
        return new LinkedHashMap<>(judge.giftDumps());
    }

    synchronized Map<String, Long> lostInWindows() {
        return new LinkedHashMap<>(judge.lostInWindows());
    }

    synchronized long records() {
        return judge.records();
    }

    private void close() {
        synchronized (this) {
            drain();
            stopped = true;
        }
        try {
            poller.join(1000); // it leaves poll() within 100 ms
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }
}
