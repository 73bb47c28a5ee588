package io.rsplicefs.it.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this machine lets a test do as another user: checked before a test runs something as nobody. */
final class Host {
    /** uid and gid of nobody/nogroup on Debian. */
    static final int NOBODY = 65534;

    private Host() {
    }

    static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    /** Every parent searchable and the file readable by others. */
    static boolean readableByAll(Path file) throws IOException {
        if ((((Integer) Files.getAttribute(file, "unix:mode")) & 0004) == 0) {
            return false;
        }
        for (Path d = file.getParent(); d != null; d = d.getParent()) {
            if ((((Integer) Files.getAttribute(d, "unix:mode")) & 0001) == 0) {
                return false;
            }
        }
        return true;
    }
}
