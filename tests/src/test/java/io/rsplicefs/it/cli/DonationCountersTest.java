package io.rsplicefs.it.cli;

import io.rsplicefs.fs.stats.MountStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.it.support.Backing;
import io.rsplicefs.it.support.TimeScale;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What `rsplicefs stats` says was moved must be what happened, with the real
 * daemon, its default sampling (one reply in 16) and cat as the reader
 * (sequential advice, kernel readahead, several workers). The sampler once
 * checked a reply while it was still in flight on another worker and
 * reported 59% moved for a file that had moved entirely.
 */
@Tag("fuse")
@Timeout(120)
@Tag("kernel")
class DonationCountersTest extends CliTestBase {
    static final int SIZE = 64 << 20;

    @Test
    void movedCountersAgreeWithTheBackingCache() throws Exception {
        Path src = source(SIZE);
        Path mp = dir("mnt");
        Path backing = src.resolve("data.bin");
        cli.run("mount", "--read-path=rsplice", "--donate", src.toString(), mp.toString()).succeeds();
        try {
            Backing.evict(backing);
            // cat itself: it advises POSIX_FADV_SEQUENTIAL, so the kernel's readahead keeps more
            // requests in flight at once than a plain read() loop does (and the old sampler failed).
            Process cat = new ProcessBuilder("cat", mp.resolve("data.bin").toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            assertTrue(cat.waitFor(TimeScale.of(60), TimeUnit.SECONDS), "cat finished");
            assertEquals(0, cat.exitValue(), "cat's exit status");
            Thread.sleep(TimeScale.of(200)); // release is asynchronous to close(); it checks the last samples
            long pages = Backing.pages(SIZE);
            double measured = 1.0 - (double) Backing.residentPages(backing, SIZE) / pages;
            MountStats.DonationStats donation = MountStats.fromJson(cli.run("stats", "--json", mp.toString())
                    .succeeds().out()).readPath("rsplice").donation();
            long sampled = donation.sampledPages();
            long moved = donation.movedPages();
            double counted = (double) moved / Math.max(1, sampled);
            System.out.printf("stats: %d of %d sampled pages moved; mincore: %.1f%% of the backing file left%n",
                    moved, sampled, 100 * measured);
            assertTrue(sampled >= pages / 16 / 2, "sampled pages: " + sampled);
            assertTrue(Math.abs(counted - measured) < 0.1,
                    "stats (" + counted + ") agree with mincore (" + measured + ")");
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
    }
}
