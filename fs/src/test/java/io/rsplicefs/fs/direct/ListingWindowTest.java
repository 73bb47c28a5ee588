package io.rsplicefs.fs.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ListingWindowTest {

    private static ListingWindow of(int files, int window) {
        return new ListingWindow(IntStream.range(0, files).mapToObj(i -> "f" + i).toArray(String[]::new), window);
    }

    @Test
    void theFirstReadOfADirectoryPushesTwoWindowsLeavingTheLastOfEachWindowOut() {
        ListingWindow w = of(100, 4);
        // Up to index 8; 3 and 7 end a window and are left for the reader's READs.
        assertArrayEquals(new int[] {1, 2, 4, 5, 6, 8}, w.readAt(0));
        assertEquals(2, w.indexOf("f2"));
        assertEquals(-1, w.indexOf("nope"));
    }

    @Test
    void aReaderGoingThroughTheListingAsksOncePerWindowAndEverythingElseIsPushedOnce() {
        int files = 1000;
        int window = 32;
        ListingWindow w = of(files, window);
        boolean[] pushed = new boolean[files];
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            if (pushed[i]) {
                continue; // found in the cache: no READ
            }
            reads.add(i);
            for (int k : w.readAt(i)) {
                assertFalse(pushed[k], "pushed twice: " + k);
                assertTrue(k > i, "pushed behind the reader: " + k);
                pushed[k] = true;
            }
        }
        // One READ for the first file and one at the end of each window.
        assertEquals(1 + files / window, reads.size(), reads.toString());
        assertEquals(files - reads.size(), IntStream.range(0, files).filter(i -> pushed[i]).count());
    }

    @Test
    void aReaderThatOvertookThePushesKeepsThemGoing() {
        ListingWindow w = of(100, 8);
        w.readAt(0); // queues 1..16 (7 and 15 left out), but the pushes are late: the reader READs 1 and 2 itself
        assertArrayEquals(new int[] {17}, w.readAt(1), "the window moves on with the reader");
        assertTrue(w.passed(1), "a push of 1 now comes too late");
        assertFalse(w.passed(3));
        assertArrayEquals(new int[] {18}, w.readAt(2));
        assertArrayEquals(new int[] {19, 20, 21, 22, 24, 25}, w.readAt(9), "a READ inside the queued range carries on");
    }

    @Test
    void aReaderThatJumpsAboutStartsNothing() {
        ListingWindow w = of(1000, 32);
        assertArrayEquals(new int[0], w.readAt(500));
        assertArrayEquals(new int[0], w.readAt(100), "backwards");
        assertArrayEquals(new int[0], w.readAt(700), "far ahead");
        assertTrue(w.readAt(701).length > 0, "then the next file: a walk from there");
    }

    @Test
    void theEndOfTheListingBoundsTheWindow() {
        ListingWindow w = of(5, 32);
        assertArrayEquals(new int[] {1, 2, 3, 4}, w.readAt(0));
        assertArrayEquals(new int[0], w.readAt(4));
        assertArrayEquals(new int[0], of(1, 32).readAt(0));
    }
}
