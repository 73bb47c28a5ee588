package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchConfigTest {
    @Test
    void variantsTakeModifiersInAnyOrderOnce() {
        assertEquals(new BenchConfig.Variant("rsplice", true, false, true),
                BenchConfig.Variant.parse("rsplice+single+donate+noguard"));
        assertEquals(new BenchConfig.Variant("copy", false, true, false), BenchConfig.Variant.parse("copy"));
        assertNull(BenchConfig.Variant.parse("rsplice+donate+donate"));
        assertNull(BenchConfig.Variant.parse("rsplice+fast"));
        assertNull(BenchConfig.Variant.parse("bindfs"));
        assertNull(BenchConfig.Variant.parse("rsplice+"));
    }

    @Test
    void targetsAreCheckedDeduplicatedAndNativeComesFirst() {
        assertEquals(List.of("native", "fd", "auto+donate"),
                BenchConfig.checkTargets(List.of(" fd", "auto+donate", "fd", "", "native"), false));
        assertEquals(List.of("native", "gift"), BenchConfig.checkTargets(List.of("gift"), true));
    }

    @Test
    void refusedTargetsSayWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("gift"), false)).getMessage().contains("--force-gift"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("copy+donate"), false)).getMessage().contains("copy+donate"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("zfs"), false)).getMessage().contains("unknown target 'zfs'"));
    }

    @Test
    void defaultTargets() {
        assertEquals(List.of("native", "copy", "fd", "rsplice", "rsplice+donate", "auto"),
                BenchConfig.defaultTargets(false, false));
        assertTrue(BenchConfig.defaultTargets(true, true).containsAll(List.of("gift", "bindfs", "passthrough_ll")));
    }
}
