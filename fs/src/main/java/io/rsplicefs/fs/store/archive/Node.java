package io.rsplicefs.fs.store.archive;

import java.util.Map;
import java.util.TreeMap;

/**
 * One object of an archive's tree: a directory, a symlink or a regular file
 * (a hard link is the same node under a second name). A file's bytes are
 * {@code storedSize} bytes at {@code dataOffset} of the archive, stored or
 * deflated; a member that cannot be served carries the reason in
 * {@code refusal} and fails on open, so no wrong bytes are ever served.
 */
final class Node {
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;

    enum Method { STORED, DEFLATED }

    final long ino;
    final int type;
    int permissions;
    int uid;
    int gid;
    long mtimeSec;
    long mtimeNsec;
    int nlink = 1;
    /** Bytes of the file as read (the inflated size of a deflated member); a symlink's target length. */
    long size;
    long dataOffset;
    long storedSize;
    Method method = Method.STORED;
    /** CRC-32 of the content, when the format gives one (zip), checked after inflating. */
    long crc = -1;
    byte[] linkTarget;
    String refusal;
    /** The member's name in the archive, for messages. */
    String memberName;
    final Map<String, Node> children;

    Node(long ino, int type) {
        this.ino = ino;
        this.type = type;
        this.children = type == S_IFDIR ? new TreeMap<>() : null;
    }

    boolean isDir() {
        return type == S_IFDIR;
    }

    boolean isFile() {
        return type == S_IFREG;
    }

    int mode() {
        return type | (permissions & 07777);
    }
}
