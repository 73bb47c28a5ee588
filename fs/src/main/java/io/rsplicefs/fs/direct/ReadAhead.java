package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.host.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The read-ahead window of a FUSE mount. INIT can only lower it (the kernel
 * keeps the smaller of its default, 128 KiB, and what the daemon says), so
 * sequential reads would come as 128 to 256 KiB requests however large
 * MAX_PAGES allows. Root widens it on the mount's own bdi
 * (/sys/class/bdi/0:MINOR/read_ahead_kb), which lives and dies with the mount.
 */
final class ReadAhead {
    private ReadAhead() {
    }

    /**
     * Sets the window to {@code bytes} (0: leave the kernel's); returns the
     * window in effect. Where it cannot (not root, no sysfs) the kernel's stays.
     */
    static long widen(Path mountpoint, long bytes, long kernels) {
        if (bytes <= 0) {
            return kernels;
        }
        try {
            String dev = MountTable.deviceAt(mountpoint).orElse(null);
            if (dev == null) {
                return kernels;
            }
            Path knob = Path.of("/sys/class/bdi", dev, "read_ahead_kb");
            if (!Files.isWritable(knob)) {
                return kernels;
            }
            Files.writeString(knob, String.valueOf(bytes / 1024));
            return Long.parseLong(Files.readString(knob).trim()) * 1024;
        } catch (IOException | RuntimeException e) {
            return kernels;
        }
    }
}
