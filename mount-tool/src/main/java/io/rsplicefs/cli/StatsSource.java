package io.rsplicefs.cli;

import io.rsplicefs.fs.stats.FsStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/** The live counters of a mount: the JSON the daemon returns for the stats xattr on the mount root. */
final class StatsSource {
    /** The xattr name without the "user." namespace, as UserDefinedFileAttributeView wants it. */
    private static final String NAME = FsStats.XATTR.substring("user.".length());

    private final Path mountpoint;

    private StatsSource(Path mountpoint) {
        this.mountpoint = mountpoint;
    }

    /** Checks that {@code mp} is a rsplicefs mount with a live daemon. */
    static StatsSource of(Path mp) throws CliException {
        String type = MountPoints.typeAt(mp).orElseThrow(() -> new CliException(mp + " is not mounted"
                + " (give the mount point of a rsplicefs mount)"));
        if (!type.equals(MountPoints.TYPE)) {
            throw new CliException(mp + " is not a rsplicefs mount (it is " + type + ")");
        }
        return new StatsSource(mp);
    }

    /** The current JSON. Blocks as long as the daemon takes to answer. */
    String readJson() throws CliException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(mountpoint, UserDefinedFileAttributeView.class);
        if (view == null) {
            throw new CliException("cannot read extended attributes on " + mountpoint);
        }
        IOException last = null;
        // The value can grow between asking its size and reading it (ERANGE): retry with room to spare.
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                ByteBuffer buf = ByteBuffer.allocate(view.size(NAME) + 4096 * (attempt + 1));
                view.read(NAME, buf);
                buf.flip();
                return StandardCharsets.UTF_8.decode(buf).toString();
            } catch (IOException e) {
                last = e;
                if (MountPoints.isDead(mountpoint)) {
                    throw new CliException("the daemon of " + mountpoint + " is gone (transport endpoint is not"
                            + " connected); clean up with: rsplicefs umount " + mountpoint);
                }
            }
        }
        throw new CliException("cannot read the stats of " + mountpoint + ": " + last.getMessage());
    }
}
