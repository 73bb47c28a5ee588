package io.rsplicefs.fs.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineCountersTest {
    @Test
    void requestSizesLandInPowerOfTwoBuckets() {
        EngineCounters c = new EngineCounters();
        c.readSize(4096);
        c.readSize(131072);
        c.readSize(131072);
        c.readSize(1 << 20);
        c.readSize(2 << 20);
        assertEquals(Map.of("<=4KiB", 1L, "<=128KiB", 2L, "<=1024KiB", 1L, ">1024KiB", 1L), c.readSizes());
    }

    @Test
    void opcodesAreCountedByName() {
        EngineCounters c = new EngineCounters();
        c.request(Fuse.READ);
        c.request(Fuse.READ);
        c.request(Fuse.LOOKUP);
        assertEquals(Map.of("READ", 2L, "LOOKUP", 1L), c.requestsByOpcode());
    }
}
