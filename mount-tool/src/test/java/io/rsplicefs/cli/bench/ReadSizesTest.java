package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadSizesTest {
    @Test
    void bucketsAreTheDirectEnginesPowersOfTwo() {
        assertEquals("<=1KiB", ReadSizes.bucket(0));
        assertEquals("<=4KiB", ReadSizes.bucket(4096));
        assertEquals("<=8KiB", ReadSizes.bucket(4097));
        assertEquals("<=128KiB", ReadSizes.bucket(128 * 1024));
        assertEquals("<=1024KiB", ReadSizes.bucket(1 << 20));
        assertEquals(">1024KiB", ReadSizes.bucket((1 << 20) + 1));
    }

    @Test
    void modalIsTheCommonestBucketWithItsShare() {
        assertEquals("≤1 MiB (75 %)", ReadSizes.modal(Map.of("<=1024KiB", 3L, "<=4KiB", 1L)));
        assertEquals("≤256 KiB (50 %)", ReadSizes.modal(Map.of("<=128KiB", 2L, "<=256KiB", 2L)), "the larger on a tie");
        assertNull(ReadSizes.modal(Map.of()));
        assertEquals(">1 MiB", ReadSizes.label(">1024KiB"));
        assertEquals("odd", ReadSizes.label("odd"));
    }

    @Test
    void differencesAndSumsKeepSizeOrder() {
        Map<String, Long> d = ReadSizes.minus(Map.of("<=1024KiB", 10L, "<=4KiB", 5L, "<=128KiB", 2L),
                Map.of("<=1024KiB", 4L, "<=4KiB", 5L));
        assertEquals(List.of("<=128KiB", "<=1024KiB"), List.copyOf(d.keySet()));
        assertEquals(6L, d.get("<=1024KiB"));
        Map<String, Long> s = ReadSizes.sum(List.of(Map.of("<=1024KiB", 1L), Map.of("<=1024KiB", 2L, "<=2KiB", 1L)));
        assertEquals(List.of("<=2KiB", "<=1024KiB"), List.copyOf(s.keySet()));
        assertEquals(List.of("≤2 KiB", "≤1 MiB"), List.copyOf(ReadSizes.readable(s).keySet()));
    }
}
