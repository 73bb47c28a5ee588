package io.rsplicefs.fs.store.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the tree of an archive from its members in archive order: member
 * paths are normalized ("./a//b" is "a/b"), directories a path implies are
 * made, a later member of the same name replaces an earlier one (as
 * extracting would), and names that would leave the mount root (a ".."
 * component) are refused and counted. Inode numbers follow the archive's
 * order, so they are the same at every mount of the same archive.
 */
final class ArchiveTree {
    private final Node root;
    private final int defaultUid;
    private final int defaultGid;
    private long nextIno = 2;
    private final List<String> warnings = new ArrayList<>();
    long members;
    long refusedNames;
    long duplicates;
    long refusedMembers;

    ArchiveTree(int defaultUid, int defaultGid, long mtimeSec) {
        this.defaultUid = defaultUid;
        this.defaultGid = defaultGid;
        this.root = new Node(1, Node.S_IFDIR);
        root.permissions = 0755;
        root.uid = defaultUid;
        root.gid = defaultGid;
        root.mtimeSec = mtimeSec;
        root.nlink = 2;
    }

    Node root() {
        return root;
    }

    List<String> warnings() {
        return warnings;
    }

    void warn(String w) {
        if (warnings.size() < 100) {
            warnings.add(w);
        } else if (warnings.size() == 100) {
            warnings.add("... (more warnings left out)");
        }
    }

    /** "a/b/c" from an archive name, or null when it would escape the root or names nothing. */
    static String normalize(String name) {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                return null;
            }
            parts.add(p);
        }
        return parts.isEmpty() ? "" : String.join("/", parts);
    }

    Node newNode(int type) {
        Node n = new Node(nextIno++, type);
        n.uid = defaultUid;
        n.gid = defaultGid;
        return n;
    }

    /** The parent directory of {@code path}, made (with its own parents) where missing. */
    private Node parentOf(String path) {
        Node dir = root;
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return dir;
        }
        for (String p : path.substring(0, slash).split("/")) {
            Node next = dir.children.get(p);
            if (next == null || !next.isDir()) {
                if (next != null) {
                    duplicates++;
                    warn("'" + p + "' is both a file and a directory; the directory wins");
                }
                next = newNode(Node.S_IFDIR);
                next.permissions = 0755;
                next.mtimeSec = root.mtimeSec;
                next.nlink = 2;
                dir.children.put(p, next);
            }
            dir = next;
        }
        return dir;
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Puts a member at its name; false (counted, warned) when the name is refused. */
    boolean add(String memberName, Node n) {
        members++;
        n.memberName = memberName;
        String path = normalize(memberName);
        if (path == null) {
            refusedNames++;
            warn("member '" + memberName + "' has a '..' in its name: left out");
            return false;
        }
        if (path.isEmpty()) {
            if (n.isDir()) { // "./" itself: the root's attributes
                root.permissions = n.permissions;
                root.uid = n.uid;
                root.gid = n.gid;
                root.mtimeSec = n.mtimeSec;
            }
            return false;
        }
        Node parent = parentOf(path);
        String name = last(path);
        Node old = parent.children.get(name);
        if (old != null) {
            if (old.isDir() && n.isDir()) { // a directory listed again (or after its contents): keep its children
                n.children.putAll(old.children);
            } else {
                duplicates++;
                warn("member '" + memberName + "' appears more than once; the last one is served");
            }
            if (old != n && old.nlink > 1) {
                old.nlink--;
            }
        }
        parent.children.put(name, n);
        if (n.refusal != null) {
            refusedMembers++;
            warn("member '" + memberName + "': " + n.refusal + "; reading it fails (EOPNOTSUPP)");
        }
        return true;
    }

    /** The node a hard link names, or null when it names nothing (yet). */
    Node lookup(String memberName) {
        String path = normalize(memberName);
        if (path == null) {
            return null;
        }
        Node n = root;
        if (path.isEmpty()) {
            return n;
        }
        for (String p : path.split("/")) {
            if (n.children == null) {
                return null;
            }
            n = n.children.get(p);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    /** Link counts of directories: 2 plus one per subdirectory. */
    void finish() {
        countLinks(root);
    }

    private static void countLinks(Node dir) {
        int subdirs = 0;
        for (Map.Entry<String, Node> e : dir.children.entrySet()) {
            if (e.getValue().isDir()) {
                subdirs++;
                countLinks(e.getValue());
            }
        }
        dir.nlink = 2 + subdirs;
    }
}
