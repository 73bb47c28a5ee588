package io.rsplicefs.fs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.store.DirectoryStore;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.nativeio.Credentials;
import io.rsplicefs.nativeio.NativeIoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The core driven as a front end would, with no mount: a read-only store of produced bytes. */
class FsCoreTest {
    private static final Supplier<Caller> ROOT = () -> new Caller(0, 0, 1);
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;

    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private FsCore core(Store store, ReadPath path) {
        MountConfig c = new MountConfig(dir, dir.resolve("mnt")).readPath(path);
        FsStats stats = new FsStats();
        stats.mountInfo(new MountStats.MountInfo("test", store.describe(), "", "", 0, path.id(), path.id(), false,
                true, "", "auto"));
        return new FsCore(store, c, stats);
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO"})
    void producedBytesAreCopiedByEveryReadPath(ReadPath path) throws Exception {
        byte[] content = random(300_000, 1);
        FsCore core = core(new MemoryStore().put("f", content), path);
        long fh = core.open("/f", O_RDONLY, ROOT);
        for (long[] req : new long[][] {{0, 4096}, {4095, 131072}, {290_000, 131072}, {content.length, 4096}}) {
            ReadReply r = core.read(fh, req[1], req[0]);
            assertInstanceOf(ReadReply.Memory.class, r.payload(), "produced bytes have no fd to splice");
            int from = (int) req[0];
            int to = (int) Math.min(content.length, req[0] + req[1]);
            assertArrayEquals(Arrays.copyOfRange(content, from, to), Transport.send(r), "bytes at " + from);
        }
        core.release(fh);
        MountStats.ReadPathStats s = core.stats().snapshot().readPath(path.id());
        assertEquals(4, s.requests());
        assertEquals(0, s.spliceReplies());
        assertEquals(0, s.errors());
        if (path == ReadPath.FD || path == ReadPath.RSPLICE) {
            assertTrue(s.copyReasons().getOrDefault("fallback: produced bytes", 0L) >= 2, s.copyReasons().toString());
        }
        assertEquals(0, core.openHandles());
    }

    @Test
    void aReadOnlyStoreRefusesEveryWrite() throws Exception {
        FsCore core = core(new MemoryStore().put("f", new byte[10]), ReadPath.AUTO);
        List<Callable> writes = List.of(
                () -> core.create("/g", O_WRONLY, 0644, ROOT),
                () -> core.mkdir("/d", 0755, ROOT),
                () -> core.mknod("/p", 0010644, 0, ROOT),
                () -> core.unlink("/f"),
                () -> core.rmdir("/f"),
                () -> core.rename("/f", "/g"),
                () -> core.symlink("f", "/s", ROOT),
                () -> core.link("/f", "/h"),
                () -> core.chmod("/f", 0600),
                () -> core.chown("/f", 1, 1),
                () -> core.truncate("/f", 0),
                () -> core.utimens("/f", 0, 0, 0, 0),
                () -> core.setxattr("/f", "user.a", new byte[1], 0, ROOT),
                () -> core.removexattr("/f", "user.a", ROOT),
                () -> core.open("/f", O_WRONLY, ROOT));
        for (Callable w : writes) {
            assertEquals(30, assertThrows(NativeIoException.class, w::call).errno(), "EROFS");
        }
        long fh = core.open("/f", O_RDONLY, ROOT);
        assertEquals(30, assertThrows(NativeIoException.class, () -> core.write(fh, 0, 0, 0)).errno());
        assertEquals(30, assertThrows(NativeIoException.class, () -> core.ftruncate(fh, "/f", 0)).errno());
        core.release(fh);
    }

    @FunctionalInterface
    interface Callable {
        void call() throws Exception;
    }

    @Test
    void metadataAndTheStatsXattr() throws Exception {
        FsCore core = core(new MemoryStore().put("a", new byte[5]).put("b", new byte[7]), ReadPath.AUTO);
        assertEquals(List.of("a", "b"), List.of(core.readdir("/")));
        assertEquals(7, core.getattr("/b", ROOT).size());
        assertEquals(2, assertThrows(NativeIoException.class, () -> core.getattr("/c", ROOT)).errno(), "ENOENT");
        MountStats s = MountStats.fromJson(new String(core.getxattr("/", MountStats.XATTR, ROOT), StandardCharsets.UTF_8));
        assertEquals("test", s.mount().engine());
        assertEquals(0, core.listxattr("/", ROOT).length, "the stats xattr is never listed");
        assertEquals(61, assertThrows(NativeIoException.class, () -> core.getxattr("/a", "security.x", ROOT)).errno());
        assertEquals(9, assertThrows(NativeIoException.class, () -> core.read(42, 10, 0)).errno(), "EBADF");
        assertEquals(1, core.stats().snapshot().readPath("auto").errors());
    }

    private static final Supplier<Caller> NOBODY = () -> new Caller(65534, 65534, 0);

    private static List<String> names(byte[] list) {
        return List.of(new String(list, StandardCharsets.UTF_8).split("\0"));
    }

    @Test
    void xattrNamespacesFollowTheKernelsRulesPerCaller() throws Exception {
        assumeTrue(Credentials.fsuid() == 0, "trusted.* needs a root daemon");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.write(src.resolve("f"), new byte[1]);
        FsCore core = core(DirectoryStore.open(src), ReadPath.AUTO);
        byte[] v = {'v'};
        for (String n : List.of("user.a", "security.b", "trusted.c")) {
            core.setxattr("/f", n, v, 0, ROOT);
        }
        assertEquals(List.of("security.b", "trusted.c", "user.a"),
                names(core.listxattr("/f", ROOT)).stream().sorted().toList());
        assertEquals(List.of("security.b", "user.a"), names(core.listxattr("/f", NOBODY)).stream().sorted().toList(),
                "trusted.* is hidden from a caller who is not root");
        assertArrayEquals(v, core.getxattr("/f", "security.b", NOBODY));
        assertEquals(61, assertThrows(NativeIoException.class, () -> core.getxattr("/f", "trusted.c", NOBODY)).errno());
        assertEquals(1, assertThrows(NativeIoException.class,
                () -> core.setxattr("/f", "security.b", v, 0, NOBODY)).errno(), "EPERM");
        assertEquals(1, assertThrows(NativeIoException.class,
                () -> core.removexattr("/f", "trusted.c", NOBODY)).errno(), "EPERM");
        assertEquals(95, assertThrows(NativeIoException.class,
                () -> core.getxattr("/f", "system.posix_acl_access", ROOT)).errno(), "EOPNOTSUPP: no ACLs on libfuse 2.9");
        core.removexattr("/f", "trusted.c", ROOT);
        assertEquals(List.of("security.b", "user.a"), names(core.listxattr("/f", ROOT)).stream().sorted().toList());
    }

    @Test
    void aRootDaemonCreatesObjectsAsTheirCaller() throws Exception {
        assumeTrue(Credentials.fsuid() == 0, "needs a root daemon");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(src, "unix:mode", 01777);
        FsCore core = core(DirectoryStore.open(src), ReadPath.AUTO);
        core.release(core.create("/f", O_WRONLY, 0100644, NOBODY));
        core.mkdir("/d", 0755, NOBODY);
        core.symlink("f", "/l", NOBODY);
        core.mknod("/p", 0010600, 0, NOBODY);
        for (String n : List.of("/f", "/d", "/l", "/p")) {
            assertEquals(65534, core.getattr(n, ROOT).uid(), n);
            assertEquals(65534, core.getattr(n, ROOT).gid(), n);
        }
        assertEquals(0010600, core.getattr("/p", ROOT).mode());
        assertEquals(1, assertThrows(NativeIoException.class, () -> core.mknod("/c", 0020600, 0x0103, NOBODY)).errno(),
                "EPERM: devices only for root");
        assertEquals(13, assertThrows(NativeIoException.class, () -> core.mkdir("/d/x", 0755, () -> new Caller(1, 1, 0)))
                .errno(), "EACCES: the creator's own permissions apply");
        assertEquals(0, Credentials.fsuid(), "the thread is back to root");
        core.mkdir("/r", 0755, ROOT);
        assertEquals(0, core.getattr("/r", ROOT).uid());
    }

    @Test
    void theProbeFileIsInvisibleWithoutAProbe() {
        FsCore core = core(new MemoryStore(), ReadPath.GIFT);
        assertEquals(ReadPath.RSPLICE, core.effectivePath(), "gift is used only when its probe says so");
        assertEquals(2, assertThrows(NativeIoException.class, () -> core.getattr(FsCore.PROBE_PATH, ROOT)).errno());
        assertTrue(core.tracksReplies(), "stable replies are on by default");
    }
}
