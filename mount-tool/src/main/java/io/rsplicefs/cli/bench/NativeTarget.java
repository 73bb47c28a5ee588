package io.rsplicefs.cli.bench;

import java.nio.file.Path;

/** fio on the backing file directly, its cache warm: the limit every ratio is taken against. */
final class NativeTarget extends Target {
    private final Path file;

    NativeTarget(Path file) {
        super("native", Kind.NATIVE);
        this.file = file;
    }

    @Override
    String command() {
        return "(no mount: fio reads " + file + ")";
    }

    @Override
    Path file() {
        return file;
    }

    @Override
    void start() {
        // nothing to mount
    }

    @Override
    void stop() {
        // nothing to unmount
    }
}
