package io.rsplicefs.fs.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * DAMON's proactive reclaim, as some VMs run it: a kdamond with a "pageout" scheme evicts page cache that
 * stayed idle (and marks pages idle, which fuse refuses to move).
 */
public final class Damon {
    static final Path KDAMONDS = Path.of("/sys/kernel/mm/damon/admin/kdamonds");

    private Damon() {
    }

    /** A description of the running kdamond with a pageout scheme, if there is one. */
    public static Optional<String> pageoutScheme() {
        if (!Files.isDirectory(KDAMONDS)) {
            return Optional.empty();
        }
        try (var ds = Files.list(KDAMONDS)) {
            for (Path d : ds.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                if (!ProcFile.read(d.resolve("state")).trim().equals("on")) {
                    continue;
                }
                try (var ss = Files.find(d.resolve("contexts"), 5,
                        (p, a) -> p.getFileName().toString().equals("action"))) {
                    for (Path action : ss.toList()) {
                        if (ProcFile.read(action).trim().equals("pageout")) {
                            return Optional.of("DAMON kdamond " + d.getFileName() + " runs a pageout scheme ("
                                    + action.getParent() + ")");
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
