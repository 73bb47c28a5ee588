package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's view of the tree: node ids handed out by LOOKUP (and by every
 * reply that carries an entry), each with the number of lookups the kernel
 * has not yet forgotten. The core is path based, so a node remembers the
 * path it was last reached by.
 * <ul>
 * <li>One node per backing inode (device and inode number): two names of a
 * hard link are one node, so a link count changed through one name is seen
 * through the other.</li>
 * <li>Ids are never reused (a counter), so the generation can stay 0.</li>
 * <li>A node is dropped when FORGET brings its count to zero; the root is never dropped.</li>
 * </ul>
 * One lock: every operation is a few map updates.
 */
final class NodeTable {
    /** One node the kernel knows. */
    static final class Node {
        final long id;
        final long dev;
        final long ino;
        final boolean directory;
        /** The names it is known by, the one to use first (more than one: a hard link). */
        final List<String> paths = new ArrayList<>(1);
        long lookups;

        Node(long id, long dev, long ino, boolean directory) {
            this.id = id;
            this.dev = dev;
            this.ino = ino;
            this.directory = directory;
        }
    }

    private record InodeKey(long dev, long ino) {
    }

    private final Map<Long, Node> byId = new HashMap<>();
    private final Map<InodeKey, Node> byInode = new HashMap<>();
    private final Map<String, Node> byPath = new HashMap<>();
    private long nextId = Fuse.ROOT_ID + 1;
    private long lookupsTotal;
    private long forgetsTotal;

    NodeTable() {
        Node root = new Node(Fuse.ROOT_ID, -1, -1, true);
        root.paths.add("/");
        root.lookups = 1;
        byId.put(root.id, root);
    }

    /** The path of a node, or ESTALE/ENOENT when the kernel names one it forgot or that lost its names. */
    synchronized String path(long id) throws NativeIoException {
        Node n = byId.get(id);
        if (n == null) {
            throw new NativeIoException("node " + id + " unknown", Errno.ESTALE);
        }
        if (n.paths.isEmpty()) {
            throw new NativeIoException("node " + id + " has no name left", Errno.ENOENT);
        }
        return n.paths.get(0);
    }

    /** The id of the node the kernel knows by {@code path} (no lookup counted), or 0 when it knows none. */
    synchronized long idOf(String path) {
        Node n = byPath.get(path);
        return n == null ? 0 : n.id;
    }

    /** {@code parent/name} as a path. */
    synchronized String child(long parent, String name) throws NativeIoException {
        return join(path(parent), name);
    }

    static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /**
     * Counts one lookup of the object at {@code path} with attributes
     * {@code st} and returns its node id: the existing node of that inode, or
     * a new one. The node now answers to this path first.
     */
    synchronized long lookedUp(String path, FileStat st) {
        lookupsTotal++;
        if (path.equals("/")) {
            byId.get((long) Fuse.ROOT_ID).lookups++;
            return Fuse.ROOT_ID;
        }
        InodeKey key = new InodeKey(st.dev(), st.ino());
        Node n = byInode.get(key);
        if (n == null) {
            n = new Node(nextId++, st.dev(), st.ino(), st.isDirectory());
            byId.put(n.id, n);
            byInode.put(key, n);
        }
        Node before = byPath.put(path, n);
        if (before != null && before != n) {
            before.paths.remove(path); // the name now leads to another object
        }
        n.paths.remove(path);
        n.paths.add(0, path);
        n.lookups++;
        return n.id;
    }

    /** FORGET: the kernel dropped {@code count} lookups of the node. */
    synchronized void forget(long id, long count) {
        forgetsTotal += count;
        Node n = byId.get(id);
        if (n == null || id == Fuse.ROOT_ID) {
            return;
        }
        n.lookups -= count;
        if (n.lookups <= 0) {
            byId.remove(id);
            byInode.remove(new InodeKey(n.dev, n.ino), n);
            for (String p : n.paths) {
                byPath.remove(p, n);
            }
        }
    }

    /**
     * A name is gone (unlink, rmdir, renamed over): its node keeps its id and
     * its other names. A node left with no name is cut from its inode: the
     * backing filesystem may give that inode number to the next file it
     * makes, and that must be a new node (the kernel still holds the old one,
     * a deleted directory among them, until it forgets it).
     */
    synchronized void removed(String path) {
        Node n = byPath.remove(path);
        if (n != null) {
            n.paths.remove(path);
            if (n.paths.isEmpty()) {
                byInode.remove(new InodeKey(n.dev, n.ino), n);
            }
        }
    }

    /**
     * Before a name is removed in the store (unlink, rmdir, a rename over it):
     * its node stops answering to the inode number, because the moment the
     * store frees the inode another worker may create a file that gets the
     * same number, and that file must not become this (dying) node. Returns
     * the node, for {@link #removalDone}; null when the name has none.
     */
    synchronized Object detachForRemoval(String path) {
        Node n = byPath.get(path);
        if (n != null) {
            byInode.remove(new InodeKey(n.dev, n.ino), n);
        }
        return n;
    }

    /** After the store's removal (or its failure): a node that still has a name answers to its inode again. */
    synchronized void removalDone(Object detached) {
        if (detached instanceof Node n && !n.paths.isEmpty() && byId.containsKey(n.id)) {
            byInode.putIfAbsent(new InodeKey(n.dev, n.ino), n);
        }
    }

    /** A rename: the object at {@code from}, and below it if it is a directory, now lives under {@code to}. */
    synchronized void renamed(String from, String to) {
        removed(to);
        Node n = byPath.remove(from);
        if (n == null) {
            return;
        }
        n.paths.remove(from);
        n.paths.add(0, to);
        byPath.put(to, n);
        if (n.directory) {
            moveBelow(from, to);
        }
    }

    /** RENAME_EXCHANGE: the two names swapped their objects. */
    synchronized void exchanged(String a, String b) {
        Node na = byPath.remove(a);
        Node nb = byPath.remove(b);
        String marker = "\0exchange";
        if (na != null) {
            na.paths.replaceAll(p -> p.equals(a) ? b : p);
            byPath.put(b, na);
            if (na.directory) {
                moveBelow(a, marker);
            }
        }
        if (nb != null) {
            nb.paths.replaceAll(p -> p.equals(b) ? a : p);
            byPath.put(a, nb);
            if (nb.directory) {
                moveBelow(b, a);
            }
        }
        if (na != null && na.directory) {
            moveBelow(marker, b);
        }
    }

    /** Renames every known path under {@code from + "/"} to the same place under {@code to}. */
    private void moveBelow(String from, String to) {
        String prefix = from + "/";
        List<String[]> moves = new ArrayList<>();
        for (String p : byPath.keySet()) {
            if (p.startsWith(prefix)) {
                moves.add(new String[] {p, to + p.substring(from.length())});
            }
        }
        for (String[] m : moves) {
            Node n = byPath.remove(m[0]);
            n.paths.replaceAll(p -> p.equals(m[0]) ? m[1] : p);
            byPath.put(m[1], n);
        }
    }

    /** Nodes the kernel holds (the root included). */
    synchronized int size() {
        return byId.size();
    }

    synchronized long lookupsTotal() {
        return lookupsTotal;
    }

    synchronized long forgetsTotal() {
        return forgetsTotal;
    }

    /** Lookups not yet forgotten, over all nodes but the root. */
    synchronized long outstandingLookups() {
        long s = 0;
        for (Node n : byId.values()) {
            if (n.id != Fuse.ROOT_ID) {
                s += n.lookups;
            }
        }
        return s;
    }
}
