package io.rsplicefs.fs.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.MountException;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelMountTest {
    @Test
    void libfuseOptionsBecomeWhatMount2Takes() throws Exception {
        KernelMount.Plan p = KernelMount.plan(List.of("fsname=/srv/data", "subtype=rsplicefs", "default_permissions",
                "allow_other", "ro", "noexec", "big_writes", "nonempty", "max_read=65536"));
        assertEquals("/srv/data", p.source());
        assertEquals("fuse.rsplicefs", p.type());
        long want = KernelMount.MS_NOSUID | KernelMount.MS_NODEV | KernelMount.MS_RDONLY | KernelMount.MS_NOEXEC;
        assertEquals(want, p.flags(), "nosuid,nodev by default, as libfuse mounts");
        assertEquals(List.of("default_permissions", "allow_other", "max_read=65536"), p.data());
        assertTrue(p.helperOptions().containsAll(List.of("fsname=/srv/data", "subtype=rsplicefs", "ro", "noexec")));
    }

    @Test
    void devAndSuidCanBeAskedFor() throws Exception {
        KernelMount.Plan p = KernelMount.plan(List.of("dev", "suid"));
        assertEquals(0, p.flags());
    }

    @Test
    void anUnknownOptionIsRefusedWithTheOnesThatWork() {
        MountException e = assertThrows(MountException.class, () -> KernelMount.plan(List.of("frobnicate")));
        assertTrue(e.getMessage().contains("'frobnicate'") && e.getMessage().contains("allow_other"),
                e.getMessage());
    }
}
