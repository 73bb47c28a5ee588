package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** mount.fuse's -o options as rsplicefs mount arguments (the mounting itself is tested in the tests module). */
class MountHelperArgsTest {
    private static List<String> args(String opts) throws MountHelper.BadOption {
        return MountHelper.toMountArgs(new String[] {"/src", "/mnt", "-o", opts});
    }

    @Test
    void bothEnginesAndTheDirectEnginesOptionsAreAccepted() throws Exception {
        assertEquals(List.of("mount", "--engine=direct", "--threads=2", "--max-request=512K", "-o",
                "fsname=/src,allow_other", "--", "/src", "/mnt"), args("engine=direct,threads=2,max_request=512K,"
                + "allow_other,nofail"));
        assertEquals(List.of("mount", "--engine=jnr-fuse", "--read-path=copy", "-o", "fsname=/src", "--", "/src",
                "/mnt"), args("engine=jnr-fuse,read_path=copy"));
    }

    @Test
    void theParsedArgumentsAreTheMountCommandsOwn() throws Exception {
        List<String> a = args("engine=direct,threads=3,max_request=256K,writeback_cache");
        MountCommand c = MountRequestTest.parse(a.subList(1, a.size()));
        assertEquals(io.rsplicefs.fs.Engine.DIRECT, c.engine);
        assertTrue(c.writebackCache, "writeback_cache is --writeback-cache, not a kernel option");
        assertEquals(List.of("fsname=/src"), c.fuseOptions);
        assertEquals(3, c.threads);
        assertEquals(256 * 1024, c.maxRequest);
    }

    @Test
    void anUnknownEngineNamesBoth() {
        String m = assertThrows(MountHelper.BadOption.class, () -> args("engine=fuse3")).getMessage();
        assertTrue(m.startsWith("mount option engine=fuse3: no such engine"), m);
        assertTrue(m.contains("engine=jnr-fuse") && m.contains("engine=direct"), m);
        assertThrows(MountHelper.BadOption.class, () -> args("engine"));
    }

    @Test
    void theHelpListsEachEngineAsACopyableOption() {
        List<String> help = List.of(MountHelper.helpSection());
        assertTrue(help.stream().anyMatch(l -> l.trim().startsWith("engine=jnr-fuse ")), help::toString);
        assertTrue(help.stream().anyMatch(l -> l.trim().startsWith("engine=direct ")), help::toString);
        assertTrue(help.stream().anyMatch(l -> l.trim().startsWith("max_request=SIZE ")), help::toString);
    }
}
