package io.rsplicefs.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sets the fuse module's enable_uring (FUSE over io_uring, Linux 6.14+) for
 * a test and puts the old value back on close, also when the test fails. A
 * connection that took io_uring keeps it after the value goes back to N.
 */
public final class EnableUring implements AutoCloseable {
    public static final Path PARAMETER = Path.of("/sys/module/fuse/parameters/enable_uring");
    private final String before;

    private EnableUring(String value) throws IOException {
        this.before = Files.readString(PARAMETER).trim();
        Files.writeString(PARAMETER, value);
    }

    /** Whether this kernel has the parameter and this process may change it. */
    public static boolean settable() {
        return Files.exists(PARAMETER) && Files.isWritable(PARAMETER);
    }

    /** Sets enable_uring to {@code value} ("Y" or "N") until closed. */
    public static EnableUring set(String value) throws IOException {
        return new EnableUring(value);
    }

    @Override
    public void close() throws IOException {
        Files.writeString(PARAMETER, before);
    }
}
