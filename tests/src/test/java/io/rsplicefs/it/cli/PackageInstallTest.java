package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb installs and mounts on a clean Debian 12: packaging/install-test.sh installs it with apt into a
 * fresh debootstrap chroot of bookworm (its dependencies from the Debian mirror) and runs rsplicefs
 * --version, mount/stats/umount, mount -t fuse.rsplicefs and an fstab entry there, all in a private mount
 * namespace. The bare chroot is cached in /var/cache/rsplicefs-pkgtest: about 60 s the first time on this
 * machine, 20 s after. Needs root, debootstrap and the mirror; skipped where packaging was not built.
 */
class PackageInstallTest {
    static final Path PACKAGING = PackageDocsTest.DOCS.getParent().getParent();

    @TempDir
    Path out;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void installsAndMountsOnCleanDebian12() throws Exception {
        assumeTrue(Host.isRoot(), "needs root (debootstrap, chroot, mount namespaces)");
        assumeTrue(Host.onPath("debootstrap"), "needs debootstrap (apt-get install debootstrap)");
        Path script = PACKAGING.resolve("install-test.sh");
        assumeTrue(Files.isDirectory(PACKAGING.resolve("target")) && Files.exists(script),
                "packaging was not built (mvn package builds the .deb)");
        File log = out.resolve("install-test.log").toFile();
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).redirectOutput(log)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(14, TimeUnit.MINUTES)) {
            p.destroy(); // the script's namespace and its mounts go with it; its trap removes the chroot copy
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("PASS  mount -t fuse.rsplicefs") && text.contains("0 failed"), text);
    }
}
