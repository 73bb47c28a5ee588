package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.TestMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount never reaches outside the backing root: not through a symlink in
 * the backing directory (the kernel resolves it on the mount side, so it
 * points into the mount), and not by racing a directory swap: while one
 * thread keeps replacing backing directory "d" with a symlink to a directory
 * outside the root, readers of "d/secret" through the mount must never see
 * the outside file.
 */
@Tag("fuse")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EscapeTest {
    @TempDir
    Path dir;

    @Test
    void racingASymlinkSwapNeverReachesOutsideTheRoot() throws Exception {
        // Source two levels deeper than the mount point, so "../outside" names different
        // directories for the daemon (dir/a/b/outside: the secret) and for a client following
        // the link through the mount (dir/outside: a decoy). Seeing the secret = the daemon served it.
        Path src = dir.resolve("a/b/src");
        Files.createDirectories(dir.resolve("a/b/outside"));
        Files.writeString(dir.resolve("a/b/outside/secret"), "OUTSIDE");
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/secret"), "client-side decoy");
        try (TestMount m = TestMount.of(src, dir.resolve("mnt"), ReadPath.AUTO, false, Duration.ofMinutes(1), null)) {
            Path d = src.resolve("d");
            Files.createDirectories(d);
            Files.writeString(d.resolve("secret"), "inside");
            Path parked = src.resolve("d.parked");
            Path link = src.resolve("d.link");
            AtomicBoolean stop = new AtomicBoolean();
            Thread swapper = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Files.createSymbolicLink(link, Path.of("../outside"));
                        Files.move(d, parked, StandardCopyOption.ATOMIC_MOVE);
                        Files.move(link, d, StandardCopyOption.ATOMIC_MOVE); // d -> ../outside
                        Thread.onSpinWait();
                        Files.move(d, link, StandardCopyOption.ATOMIC_MOVE);
                        Files.move(parked, d, StandardCopyOption.ATOMIC_MOVE); // d is a directory again
                        Files.deleteIfExists(link);
                        Thread.sleep(1);
                    } catch (IOException e) {
                        // keep swapping
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "swapper");
            AtomicLong inside = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicLong decoy = new AtomicLong();
            AtomicLong escaped = new AtomicLong();
            swapper.start();
            long end = System.nanoTime() + 5_000_000_000L;
            try {
                while (System.nanoTime() < end) {
                    try {
                        String s = Files.readString(m.mountpoint().resolve("d/secret"));
                        switch (s) {
                            case "OUTSIDE" -> escaped.incrementAndGet();
                            case "inside" -> inside.incrementAndGet();
                            default -> decoy.incrementAndGet(); // the client followed the link itself
                        }
                    } catch (IOException e) {
                        refused.incrementAndGet(); // ENOENT, ELOOP (a swap seen mid-path), ENOTDIR
                    }
                }
            } finally {
                stop.set(true);
                swapper.join();
            }
            System.out.printf("escape race: %d reads inside, %d via the client's own link walk, %d refused,"
                    + " %d outside the root%n", inside.get(), decoy.get(), refused.get(), escaped.get());
            assertEquals(0, escaped.get(), "reads the daemon served from outside the root");
            assertTrue(inside.get() > 0, "the race ran with successful reads");
        }
    }

    @Test
    void symlinksAreShownNotFollowedByTheDaemon() throws Exception {
        Path src = dir.resolve("a/b/src");
        Files.createDirectories(dir.resolve("a/b/outside"));
        Files.writeString(dir.resolve("a/b/outside/secret"), "OUTSIDE");
        try (TestMount m = TestMount.of(src, dir.resolve("mnt"), ReadPath.AUTO, false, Duration.ofMinutes(1), null)) {
            Files.createSymbolicLink(src.resolve("up"), Path.of("../outside/secret"));
            assertEquals(Path.of("../outside/secret"), Files.readSymbolicLink(m.mountpoint().resolve("up")));
            assertTrue(Files.notExists(m.mountpoint().resolve("up")),
                    "followed on the client side, the link leads to dir/outside (missing), not the daemon's view");
        }
    }
}
