package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** doctor's passthrough and io_uring lines, from what a kernel's version, config and fuse parameters say. */
class KernelFeaturesTest {
    private static KernelFeatures kernel(int major, int minor, String config, Optional<String> enableUring) {
        return new KernelFeatures(major + "." + minor + ".0", major, minor, Optional.of("/proc/config.gz"), config,
                true, enableUring);
    }

    @Test
    void passthroughNeeds69AndTheConfig() {
        assertEquals(Check.Status.WARN, kernel(6, 1, "", Optional.empty()).passthroughCheck().status());
        assertEquals(Check.Status.OK,
                kernel(6, 18, "CONFIG_FUSE_PASSTHROUGH=y\n", Optional.of("N")).passthroughCheck().status());
        Check off = kernel(6, 18, "# CONFIG_FUSE_PASSTHROUGH is not set\n", Optional.of("N")).passthroughCheck();
        assertEquals(Check.Status.WARN, off.status());
        assertTrue(off.detail().contains("CONFIG_FUSE_PASSTHROUGH not set"), off.detail());
    }

    @Test
    void ioUringIsOkOnlyWhenEnabled() {
        Check absent = kernel(6, 1, "", Optional.empty()).ioUringCheck();
        assertEquals(Check.Status.WARN, absent.status());
        assertTrue(absent.detail().startsWith("no: "), absent.detail());
        Check off = kernel(6, 18, "CONFIG_FUSE_IO_URING=y\n", Optional.of("N")).ioUringCheck();
        assertEquals(Check.Status.WARN, off.status());
        assertTrue(off.detail().contains("echo Y > /sys/module/fuse/parameters/enable_uring"), off.detail());
        assertEquals(Check.Status.OK, kernel(6, 18, "CONFIG_FUSE_IO_URING=y\n", Optional.of("Y")).ioUringCheck()
                .status());
    }
}
