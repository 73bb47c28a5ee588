package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchConfigTest {
    private static final List<Engine> JNR = List.of(Engine.JNR_FUSE);
    private static final List<Engine> BOTH = List.of(Engine.JNR_FUSE, Engine.DIRECT);

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
                BenchConfig.checkTargets(List.of(" fd", "auto+donate", "fd", "", "native"), false, JNR));
        assertEquals(List.of("native", "gift"), BenchConfig.checkTargets(List.of("gift"), true, JNR));
    }

    @Test
    void refusedTargetsSayWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("gift"), false, JNR)).getMessage().contains("--force-gift"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("copy+donate"), false, JNR)).getMessage()
                .contains("copy+donate"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("zfs"), false, JNR)).getMessage()
                .contains("unknown target 'zfs'"));
    }

    @Test
    void defaultTargets() {
        assertEquals(List.of("native", "copy", "fd", "rsplice", "rsplice+donate", "auto", "passthrough"),
                BenchConfig.defaultTargets(false, false));
        assertTrue(BenchConfig.defaultTargets(true, true).containsAll(List.of("gift", "bindfs", "passthrough_ll")));
    }

    @Test
    void everyReadPathIsMeasuredOnEachEngineSideBySide() {
        assertEquals(List.of("native", "rsplice", "rsplice@direct", "auto+donate", "auto+donate@direct", "bindfs"),
                BenchConfig.checkTargets(List.of("rsplice", "auto+donate", "bindfs"), false, BOTH));
        assertEquals(List.of("native", "rsplice@direct"),
                BenchConfig.checkTargets(List.of("rsplice"), false, List.of(Engine.DIRECT)));
    }

    @Test
    void passthroughIsMeasuredOnTheDirectEngineOnly() {
        assertEquals(List.of("native", "passthrough@direct"),
                BenchConfig.checkTargets(List.of("passthrough"), false, BOTH));
        assertEquals(List.of("native"), BenchConfig.checkTargets(List.of("passthrough"), false, JNR));
        assertEquals(List.of("native", "passthrough"),
                BenchConfig.checkTargets(List.of("passthrough@jnr-fuse"), false, BOTH),
                "asked by name on jnr-fuse: measured (it falls back to auto there)");
    }

    @Test
    void anEngineSuffixPinsTheTargetAndJnrFuseKeepsThePlainName() {
        assertEquals(List.of("native", "fd@direct", "rsplice"),
                BenchConfig.checkTargets(List.of("fd@direct", "rsplice@jnr-fuse", "rsplice"), false, JNR));
        assertEquals(new BenchConfig.Variant("rsplice", true, true, true, Engine.DIRECT),
                BenchConfig.Variant.parse("rsplice+donate+single@direct"));
        assertEquals(Engine.JNR_FUSE, BenchConfig.Variant.parse("rsplice").engine());
        assertNull(BenchConfig.Variant.parse("rsplice@fuse3"));
        assertEquals(java.util.Optional.empty(), BenchConfig.engineOf("bindfs"));
        assertEquals(java.util.Optional.of(Engine.DIRECT), BenchConfig.engineOf("auto@direct"));
    }

    @Test
    void uringIsAModifierOfTheDirectEngineOnly() {
        assertEquals(new BenchConfig.Variant("fd", false, true, false, Engine.DIRECT, true),
                BenchConfig.Variant.parse("fd+uring@direct"));
        assertEquals(List.of("native", "fd+uring@direct"),
                BenchConfig.checkTargets(List.of("fd+uring@direct"), false, BOTH));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("fd+uring"), false, BOTH)).getMessage().contains("@direct"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("rsplice+donate+uring@direct"), false, BOTH)).getMessage()
                .contains("no pages to donate"));
    }

    @Test
    void badEnginesSayWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("rsplice@fuse3"), false, JNR)).getMessage()
                .contains("unknown engine 'fuse3'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.checkTargets(List.of("bindfs@direct"), false, JNR)).getMessage()
                .contains("only rsplicefs targets have an engine"));
        assertThrows(IllegalArgumentException.class, () -> BenchConfig.checkTargets(List.of("rsplice"), false,
                List.of()));
    }
}
