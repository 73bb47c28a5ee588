package io.rsplicefs.fs;

import io.rsplicefs.nativeio.Credentials;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Unmounts a FUSE mount point with fusermount, as libfuse's tools do (works for root and for users). */
public final class Unmounter {
    private static final int MNT_DETACH = 2;

    private Unmounter() {
    }

    /** fusermount (libfuse 2, Debian's fuse package) or else fusermount3 (fuse3); null when neither is installed. */
    static String helper() {
        for (String name : new String[] {"fusermount", "fusermount3"}) {
            for (String dir : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".split(":")) {
                if (java.nio.file.Files.isExecutable(Path.of(dir, name))) {
                    return name;
                }
            }
        }
        return null;
    }

    /**
     * fusermount -u [-z] MOUNTPOINT. Also clears a mount whose daemon died
     * ("Transport endpoint is not connected").
     */
    public static void unmount(Path mountpoint, boolean lazy) throws MountException {
        String helper = helper();
        if (Credentials.fsuid() == 0 && helper == null) {
            // root needs no helper (the direct engine runs without the fuse package)
            try {
                FuseDevice.umount(mountpoint.toString(), lazy ? MNT_DETACH : 0);
                return;
            } catch (NativeIoException e) {
                String hint = e.errno() == 16 ? " (files are still open on it: close them, or use -z for a lazy"
                        + " unmount)" : "";
                throw new MountException("cannot unmount " + mountpoint + ": " + e.getMessage() + hint, e);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(helper == null ? "fusermount" : helper, "-u"));
        if (lazy) {
            cmd.add("-z");
        }
        cmd.add(mountpoint.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new MountException("fusermount -u " + mountpoint + " did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                String hint = out.contains("busy") ? " (files are still open on it: close them, or use -z for a lazy unmount)" : "";
                throw new MountException("cannot unmount " + mountpoint + ": " + out + hint);
            }
        } catch (IOException e) {
            throw new MountException("cannot run fusermount (install it: apt-get install fuse): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MountException("interrupted while unmounting " + mountpoint, e);
        }
    }
}
