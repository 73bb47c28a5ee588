package io.rsplicefs.fs.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import org.junit.jupiter.api.Test;

class NodeTableTest {
    private static FileStat file(long ino) {
        return new FileStat(1, ino, 0100644, 1, 0, 0, 0, 0, 4096, 0, 0, 0, 0, 0, 0, 0);
    }

    private static FileStat dir(long ino) {
        return new FileStat(1, ino, 040755, 2, 0, 0, 0, 0, 4096, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void twoNamesOfOneInodeAreOneNodeAndLosingOneKeepsTheOther() throws Exception {
        NodeTable t = new NodeTable();
        long a = t.lookedUp("/a", file(10));
        long b = t.lookedUp("/b", file(10));
        assertEquals(a, b, "a hard link is one node");
        t.removed("/b");
        assertEquals("/a", t.path(a), "unlinking one name leaves the other");
        t.removed("/a");
        NativeIoException e = assertThrows(NativeIoException.class, () -> t.path(a));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void anInodeNumberReusedAfterItsLastNameWentIsANewNode() throws Exception {
        NodeTable t = new NodeTable();
        long old = t.lookedUp("/sub", dir(40));
        t.removed("/sub"); // rmdir through the mount; the kernel has not forgotten the node yet
        long fresh = t.lookedUp("/sub", dir(40)); // mkdir again: ext4 hands out the same inode number
        assertNotEquals(old, fresh, "the kernel's dead directory node is not reused");
        t.forget(old, 1);
        assertEquals("/sub", t.path(fresh));
    }

    @Test
    void lookupsAreCountedExactlyAndAForgottenNodeIsGoneForGood() throws Exception {
        NodeTable t = new NodeTable();
        long first = t.lookedUp("/f", file(7));
        for (int i = 1; i < 1000; i++) {
            assertEquals(first, t.lookedUp("/f", file(7)));
        }
        long id = first;
        assertEquals(1000, t.outstandingLookups());
        t.forget(id, 999);
        assertEquals("/f", t.path(id));
        t.forget(id, 1);
        assertEquals(0, t.outstandingLookups());
        assertEquals(1, t.size(), "only the root is left");
        assertEquals(Errno.ESTALE, assertThrows(NativeIoException.class, () -> t.path(id)).errno());
        long again = t.lookedUp("/f", file(7));
        assertNotEquals(id, again, "node ids are never reused");
    }

    @Test
    void theRootIsNeverForgotten() throws Exception {
        NodeTable t = new NodeTable();
        t.forget(Fuse.ROOT_ID, 5);
        assertEquals("/", t.path(Fuse.ROOT_ID));
    }

    @Test
    void renamingADirectoryMovesWhatIsBelowIt() throws Exception {
        NodeTable t = new NodeTable();
        long d = t.lookedUp("/d", dir(2));
        long f = t.lookedUp("/d/sub/f", file(3));
        long other = t.lookedUp("/dx", file(4));
        t.renamed("/d", "/e");
        assertEquals("/e", t.path(d));
        assertEquals("/e/sub/f", t.path(f));
        assertEquals("/dx", t.path(other), "a sibling sharing the prefix stays");
        assertEquals("/e/sub/f", t.child(d, "sub/f"));
    }

    @Test
    void renameOverAnotherNameDropsThatName() throws Exception {
        NodeTable t = new NodeTable();
        long a = t.lookedUp("/a", file(1));
        long b = t.lookedUp("/b", file(2));
        t.renamed("/a", "/b");
        assertEquals("/b", t.path(a));
        assertEquals(Errno.ENOENT, assertThrows(NativeIoException.class, () -> t.path(b)).errno());
    }

    @Test
    void exchangeSwapsTheNamesAndWhatIsBelowThem() throws Exception {
        NodeTable t = new NodeTable();
        long x = t.lookedUp("/x", dir(1));
        long xf = t.lookedUp("/x/f", file(2));
        long y = t.lookedUp("/y", dir(3));
        long yg = t.lookedUp("/y/g", file(4));
        t.exchanged("/x", "/y");
        assertEquals("/y", t.path(x));
        assertEquals("/y/f", t.path(xf));
        assertEquals("/x", t.path(y));
        assertEquals("/x/g", t.path(yg));
    }
}
