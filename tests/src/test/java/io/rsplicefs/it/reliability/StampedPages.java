package io.rsplicefs.it.reliability;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Pages that can tell when they are torn: each 4 KiB page holds its index and
 * a version, and the rest of the page is derived from both. A page made of
 * two versions (half old, half new) does not match what its header promises.
 */
final class StampedPages {
    static final int PAGE = 4096;

    private StampedPages() {
    }

    static void fill(ByteBuffer page, long index, long version) {
        page.putLong(0, index);
        page.putLong(8, version);
        SplittableRandom r = new SplittableRandom(index * 0x9E3779B97F4A7C15L + version);
        for (int i = 16; i < PAGE; i += 8) {
            page.putLong(i, r.nextLong());
        }
    }

    /** True when the page at {@code off} of b is one consistent version of page {@code index}. */
    static boolean consistent(byte[] b, int off, long index) {
        ByteBuffer page = ByteBuffer.wrap(b, off, PAGE).slice();
        if (page.getLong(0) != index) {
            return false;
        }
        SplittableRandom r = new SplittableRandom(index * 0x9E3779B97F4A7C15L + page.getLong(8));
        for (int i = 16; i < PAGE; i += 8) {
            if (page.getLong(i) != r.nextLong()) {
                return false;
            }
        }
        return true;
    }
}
