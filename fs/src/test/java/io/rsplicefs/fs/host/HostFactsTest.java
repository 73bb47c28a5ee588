package io.rsplicefs.fs.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The parsers behind ProcFile.field, Capabilities and SystemInfo, on texts as /proc gives them. */
class HostFactsTest {
    static final String STATUS = "Name:\tjava\nUid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n";
    static final String MEMINFO = "MemTotal:       24598236 kB\nCached:          1234567 kB\n";

    @Test
    void fieldIsTheValueAfterItsKey() {
        assertEquals("0\t0\t0\t0", ProcFile.field(STATUS, "Uid"));
        assertNull(ProcFile.field(STATUS, "CapBnd"));
    }

    @Test
    void capabilityBitsOfCapEff() {
        assertTrue(Capabilities.has(STATUS, Capabilities.CAP_SYS_RESOURCE));
        assertFalse(Capabilities.has("CapEff:\t0000000000000000\n", Capabilities.CAP_SYS_RESOURCE));
        assertTrue(Capabilities.has("CapEff:\t0000000001000000\n", 24));
        assertFalse(Capabilities.has("Name:\tx\n", 24), "no CapEff line");
        assertFalse(Capabilities.has("CapEff:\tzz\n", 24), "not hex");
    }

    @Test
    void meminfoFieldsInBytes() {
        assertEquals(24598236L * 1024, SystemInfo.meminfo(MEMINFO, "MemTotal"));
        assertEquals(1234567L * 1024, SystemInfo.meminfo(MEMINFO, "Cached"));
        assertEquals(-1, SystemInfo.meminfo(MEMINFO, "SwapTotal"));
    }

    @Test
    void thisMachineDescribesItself() {
        assertFalse(SystemInfo.kernelRelease().isBlank());
        assertTrue(SystemInfo.meminfo("MemTotal") > 0);
        assertTrue(SystemInfo.clockTicks() > 0);
        assertFalse(SystemInfo.cpuModel().isBlank());
    }
}
