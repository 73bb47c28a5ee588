package io.rsplicefs.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Deterministic file contents: a file of size n from seed s is the same bytes in every run. */
public final class TestData {
    private TestData() {
    }

    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed ^ size).nextBytes(b);
        return b;
    }

    public static byte[] write(Path file, int size, long seed) throws IOException {
        byte[] b = bytes(size, seed);
        Files.write(file, b);
        return b;
    }

    /** The first index where a and b differ over [0, len), or -1. */
    public static int mismatch(byte[] expected, int expectedOffset, byte[] actual, int len) {
        for (int i = 0; i < len; i++) {
            if (expected[expectedOffset + i] != actual[i]) {
                return i;
            }
        }
        return -1;
    }
}
