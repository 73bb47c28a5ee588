package io.rsplicefs.cli;

import io.rsplicefs.fs.host.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** Mount point facts the commands share. */
final class MountPoints {
    /** The type a rsplicefs mount shows in /proc/self/mountinfo. */
    static final String TYPE = "fuse.rsplicefs";

    private MountPoints() {
    }

    /** The filesystem type mounted at {@code mp}, if any. */
    static Optional<String> typeAt(Path mp) {
        return MountTable.typeAt(mp);
    }

    /**
     * A mount whose daemon is gone: it is still in the mount table but the
     * kernel answers "Transport endpoint is not connected" to everything.
     */
    static boolean isDead(Path mp) {
        if (typeAt(mp).isEmpty()) {
            return false;
        }
        try {
            Files.readAttributes(mp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
