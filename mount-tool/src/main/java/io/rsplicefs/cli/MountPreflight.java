package io.rsplicefs.cli;

import io.rsplicefs.fs.Engine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a mount needs from the machine, checked before the daemon starts so that a new user gets one line
 * with the fix instead of a failure deep in libfuse: libfuse 2 loads, fusermount is there (non-root users
 * mount with it, everyone unmounts with it), and a non-root allow_other/allow_root is allowed by
 * /etc/fuse.conf. The mount point, source and /dev/fuse are checked by FuseMount when it mounts.
 */
final class MountPreflight {
    /** Where libfuse and mount(8) look when PATH is unset (mount(8) runs its helpers without one). */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final Path FUSE_CONF = Path.of("/etc/fuse.conf");

    private MountPreflight() {
    }

    static void check(List<String> fuseOptions, Engine engine) throws CliException {
        boolean root = SystemChecks.isRoot();
        if (engine == Engine.JNR_FUSE) {
            Check lib = SystemChecks.libfuse();
            if (lib.status() != Check.Status.OK) {
                throw new CliException("libfuse.so.2 (libfuse 2.9) does not load: install it with: apt-get install"
                        + " libfuse2 (or use --engine=direct, which needs no libfuse)");
            }
        }
        // The direct engine mounts and unmounts with mount(2)/umount2(2) as root; everyone else needs the helper.
        if ((engine == Engine.JNR_FUSE || !root) && fusermount().isEmpty() && fusermount3().isEmpty()) {
            throw new CliException("fusermount is not installed (not in PATH): rsplicefs unmounts with it, and"
                    + " non-root users mount with it; install it with: apt-get install fuse");
        }
        for (String o : fuseOptions) {
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            if (!root && (name.equals("allow_other") || name.equals("allow_root")) && !userAllowOther()) {
                throw new CliException("-o " + name + " is not permitted for non-root users: add the line"
                        + " user_allow_other to " + FUSE_CONF + " (as root), or mount as root");
            }
        }
    }

    static Optional<Path> fusermount() {
        return onPath("fusermount");
    }

    static Optional<Path> fusermount3() {
        return onPath("fusermount3");
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null || path.isEmpty() ? DEFAULT_PATH : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** fusermount's rule: a line "user_allow_other" (comments start with '#'). */
    static boolean userAllowOther() {
        try {
            return Files.readAllLines(FUSE_CONF).stream()
                    .map(l -> l.contains("#") ? l.substring(0, l.indexOf('#')) : l)
                    .anyMatch(l -> l.trim().equals("user_allow_other"));
        } catch (IOException e) {
            return false;
        }
    }
}
