package io.rsplicefs.it.support;

import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.read.ReadPath;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One mount per configuration for the tests of a class that do not need a fresh mount. Registered as a static
 * {@code @RegisterExtension} field: {@link #get} mounts a configuration on its first use, and every mount is
 * unmounted after the class's last test, also when a test failed. A mount found gone (a test's watchdog aborted
 * it) is mounted again for the next test. Each test works in a directory of its own inside the mount
 * ({@link #area}), so the tests do not see each other's files.
 */
public final class SharedMounts implements AfterAllCallback {
    /** A test's own directory in a shared mount: {@code source} in the backing directory, {@code mountpoint} in it. */
    public record Area(TestMount mount, Path source, Path mountpoint) {
    }

    private final Duration budget;
    private final Map<String, TestMount> mounts = new LinkedHashMap<>();
    private Path base;

    /** {@code budget}: how long one mount may stay mounted (all the tests using it) before its watchdog aborts it. */
    public SharedMounts(Duration budget) {
        this.budget = budget;
    }

    /**
     * The mount named {@code name} (its configuration: read path, donate and what {@code tweak} sets; the
     * same name must always come with the same configuration), mounted now if it is not yet.
     */
    public synchronized TestMount get(String name, ReadPath path, boolean donate, Consumer<MountConfig> tweak)
            throws Exception {
        TestMount m = mounts.get(name);
        if (m != null && !MountTable.isMounted(m.mountpoint())) {
            mounts.remove(name);
            m.close();
            m = null;
        }
        if (m == null) {
            if (base == null) {
                base = Files.createTempDirectory("rsplicefs-shared");
            }
            m = TestMount.of(base.resolve(name), path, donate, budget, tweak);
            mounts.put(name, m);
        }
        return m;
    }

    /** A new directory {@code dirName} for one test inside the mount named {@code name} (see {@link #get}). */
    public Area area(String name, ReadPath path, boolean donate, Consumer<MountConfig> tweak, String dirName)
            throws Exception {
        TestMount m = get(name, path, donate, tweak);
        Path src = Files.createDirectory(m.source().resolve(dirName));
        return new Area(m, src, m.mountpoint().resolve(dirName));
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws Exception {
        Exception failure = null;
        for (TestMount m : mounts.values()) {
            try {
                m.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        mounts.clear();
        if (base != null && MountTable.mountPointsUnder(base).isEmpty()) {
            deleteTree(base);
        }
        base = null;
        if (failure != null) {
            throw failure;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
