package io.rsplicefs.fs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.store.DirectoryStore;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the direct engine's ATOMIC_O_TRUNC and POSIX_ACL ask of the core:
 * open(O_TRUNC) truncates, held against read replies in flight like a
 * truncate, and refused on a read-only store; system.posix_acl_* pass
 * through only once the front end serves ACLs.
 */
class AclAndTruncCoreTest {
    private static final Supplier<Caller> ROOT = () -> new Caller(0, 0, 1);
    private static final String ACCESS = "system.posix_acl_access";

    @TempDir
    Path dir;

    private FsCore core(Path src, ReadPath path) throws NativeIoException {
        return new FsCore(DirectoryStore.open(src), new MountConfig(src, dir.resolve("mnt")).readPath(path),
                new FsStats());
    }

    @Test
    void openWithTruncWaitsForTheReplyInFlightThenTruncates() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        byte[] old = new byte[64 * 1024];
        Arrays.fill(old, (byte) 'a');
        Files.write(src.resolve("f"), old);
        FsCore core = core(src, ReadPath.RSPLICE);
        long fh = core.open("/f", FileConstants.O_RDONLY, ROOT);
        ReadReply reply = core.read(fh, old.length, 0);
        reply.handedOver();
        CompletableFuture<Long> trunc = CompletableFuture.supplyAsync(() -> {
            try {
                return core.open("/f", FileConstants.O_WRONLY | FileConstants.O_TRUNC, ROOT);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(trunc.isDone(), "the truncating open waits while the reply references the pages");
        assertEquals(old.length, Files.size(src.resolve("f")), "not truncated yet");
        assertArrayEquals(old, Transport.take(reply), "the reply carries the bytes of before the truncation");
        reply.consumed();
        long fh2 = trunc.get(10, TimeUnit.SECONDS);
        assertEquals(0, Files.size(src.resolve("f")));
        assertTrue(core.stats().snapshot().stableReplies().writesHeld() >= 1);
        core.release(fh2);
        core.release(fh);
        core.close();
    }

    @Test
    void openWithTruncOnAReadOnlyStoreIsRefused() throws Exception {
        FsCore core = new FsCore(new MemoryStore().put("f", new byte[10]),
                new MountConfig(dir, dir.resolve("mnt")).readPath(ReadPath.COPY), new FsStats());
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> core.open("/f", FileConstants.O_RDONLY | FileConstants.O_TRUNC, ROOT));
        assertEquals(Errno.EROFS, e.errno());
        assertFalse(core.storeHasPosixAcls(), "a read-only store serves no ACLs");
        core.close();
    }

    /** u::rw g::r o::r with a named user entry and a mask (system.posix_acl_access's format). */
    private static byte[] acl() {
        int[][] entries = {{0x01, 6, -1}, {0x02, 6, 65534}, {0x04, 4, -1}, {0x10, 6, -1}, {0x20, 4, -1}};
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        return b.array();
    }

    @Test
    void posixAclsPassThroughOnlyWhenServed() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.write(src.resolve("f"), new byte[1]);
        FsCore core = core(src, ReadPath.COPY);
        assumeTrue(core.storeHasPosixAcls(), "the backing filesystem of " + dir + " keeps POSIX ACLs");
        NativeIoException before = assertThrows(NativeIoException.class, () -> core.getxattr("/f", ACCESS, ROOT));
        assertEquals(Errno.EOPNOTSUPP, before.errno(), "not served until the front end agreed them");
        assertThrows(NativeIoException.class, () -> core.setxattr("/f", ACCESS, acl(), 0, ROOT));

        core.servePosixAcls();
        NativeIoException none = assertThrows(NativeIoException.class, () -> core.getxattr("/f", ACCESS, ROOT));
        assertEquals(Errno.ENODATA, none.errno(), "no ACL yet");
        core.setxattr("/f", ACCESS, acl(), 0, ROOT);
        assertArrayEquals(acl(), core.getxattr("/f", ACCESS, ROOT));
        assertEquals(0664, Files.getAttribute(src.resolve("f"), "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS)
                instanceof Integer m ? m & 07777 : -1, "the mask became the group bits on the backing file");
        String names = new String(core.listxattr("/f", ROOT), StandardCharsets.UTF_8);
        assertTrue(names.contains(ACCESS), names);
        core.removexattr("/f", ACCESS, ROOT);
        assertFalse(new String(core.listxattr("/f", ROOT), StandardCharsets.UTF_8).contains(ACCESS));
        core.close();
    }
}
