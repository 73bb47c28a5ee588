package io.rsplicefs.fs.store.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Indexes a tar archive by reading its 512-byte headers only and seeking
 * past each member's data: ustar and GNU headers, GNU long names and long
 * link names, pax extended headers (path, linkpath, size, mtime, uid, gid;
 * global ones too), regular files, directories, symlinks and hard links.
 * Sparse files and device/FIFO entries cannot be served as a byte range:
 * they are listed and refused on open, or left out (devices, FIFOs).
 */
final class TarIndex {
    static final int BLOCK = 512;
    /** Long names, pax records: metadata, read onto the heap; refuse absurd sizes. */
    private static final long MAX_META = 1 << 20;

    private final FileChannel ch;
    private final long archiveSize;
    private final ArchiveTree tree;

    private TarIndex(FileChannel ch, ArchiveTree tree) throws IOException {
        this.ch = ch;
        this.archiveSize = ch.size();
        this.tree = tree;
    }

    /** Whether the block looks like a tar header: its checksum matches. */
    static boolean isHeader(byte[] h) {
        long want = octal(h, 148, 8);
        if (want < 0) {
            return false;
        }
        // Once per member at mount, and mostly before the JIT compiles it: the loop is kept to the fewest
        // bytecodes (one accumulator, the checksum field added as its eight spaces); it was half the index's time.
        int unsigned = 8 * ' ';
        for (int i = 0; i < 148; i++) {
            unsigned += h[i] & 0xff;
        }
        for (int i = 156; i < BLOCK; i++) {
            unsigned += h[i] & 0xff;
        }
        return want == unsigned || want == signedSum(h);
    }

    /** The checksum as some old tars computed it, over signed bytes. */
    private static int signedSum(byte[] h) {
        int signed = 8 * ' ';
        for (int i = 0; i < BLOCK; i++) {
            signed += (i >= 148 && i < 156) ? 0 : h[i];
        }
        return signed;
    }

    static void index(FileChannel ch, ArchiveTree tree) throws IOException {
        new TarIndex(ch, tree).run();
    }

    private byte[] read(long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        return b.position() == len ? b.array() : null;
    }

    private void run() throws IOException {
        long pos = 0;
        String longName = null;
        String longLink = null;
        Map<String, String> pax = new HashMap<>();
        Map<String, String> global = new HashMap<>();
        while (true) {
            byte[] h = read(pos, BLOCK);
            if (h == null) {
                if (pos == 0) {
                    throw new ArchiveException("empty archive");
                }
                tree.warn("the archive ends without its end-of-archive blocks (truncated?)");
                return;
            }
            if (allZero(h)) {
                return; // end of archive
            }
            if (!isHeader(h)) {
                throw new ArchiveException("corrupt tar header at byte " + pos
                        + " (checksum does not match); the archive is damaged or not a tar");
            }
            char type = (char) h[156];
            long size = number(h, 124, 12);
            if (size < 0) {
                throw new ArchiveException("tar header at byte " + pos + " has an unreadable size");
            }
            Map<String, String> attrs = new HashMap<>(global);
            attrs.putAll(pax);
            if (attrs.containsKey("size") && type != 'x' && type != 'g' && type != 'L' && type != 'K') {
                size = parseLong(attrs.get("size"), size);
            }
            long data = pos + BLOCK;
            long next = data + (size + BLOCK - 1) / BLOCK * BLOCK;
            switch (type) {
                case 'L' -> longName = cString(meta(data, size, pos));
                case 'K' -> longLink = cString(meta(data, size, pos));
                case 'x' -> pax = paxRecords(meta(data, size, pos), pos);
                case 'g' -> global.putAll(paxRecords(meta(data, size, pos), pos));
                default -> {
                    String name = attrs.getOrDefault("path", longName != null ? longName : headerName(h));
                    String link = attrs.getOrDefault("linkpath", longLink != null ? longLink : cString(h, 157, 100));
                    member(h, type, name, link, data, size, attrs);
                    longName = null;
                    longLink = null;
                    pax = new HashMap<>();
                }
            }
            if (next <= pos) {
                throw new ArchiveException("tar header at byte " + pos + " does not advance");
            }
            pos = next;
        }
    }

    private void member(byte[] h, char type, String name, String link, long data, long size,
                        Map<String, String> attrs) {
        Node n;
        switch (type) {
            case '0', '\0', '7' -> {
                n = tree.newNode(Node.S_IFREG);
                n.size = size;
                n.storedSize = size;
                n.dataOffset = data;
                if (data + size > archiveSize) {
                    n.refusal = "its data ends past the end of the archive (truncated archive?)";
                }
            }
            case 'S' -> {
                n = tree.newNode(Node.S_IFREG);
                n.size = number(h, 483, 12) >= 0 ? number(h, 483, 12) : size;
                n.refusal = "a GNU sparse file cannot be served as one byte range";
            }
            case '5' -> n = tree.newNode(Node.S_IFDIR);
            case '2' -> {
                n = tree.newNode(Node.S_IFLNK);
                n.linkTarget = link.getBytes(StandardCharsets.UTF_8);
                n.size = n.linkTarget.length;
            }
            case '1' -> {
                Node target = tree.lookup(link);
                if (target == null || target.isDir()) {
                    tree.members++;
                    tree.refusedMembers++;
                    tree.warn("hard link '" + name + "' names '" + link + "', which is not an earlier file: left out");
                    return;
                }
                if (tree.add(name, target)) {
                    target.nlink++;
                }
                return;
            }
            default -> {
                tree.members++;
                tree.refusedMembers++;
                tree.warn("member '" + name + "' is a " + kind(type) + ": left out");
                return;
            }
        }
        n.permissions = (int) (number(h, 100, 8) & 07777);
        n.uid = (int) parseLong(attrs.get("uid"), number(h, 108, 8));
        n.gid = (int) parseLong(attrs.get("gid"), number(h, 116, 8));
        n.mtimeSec = number(h, 136, 12);
        String mtime = attrs.get("mtime");
        if (mtime != null) {
            try {
                java.math.BigDecimal t = new java.math.BigDecimal(mtime);
                n.mtimeSec = t.longValue();
                n.mtimeNsec = t.subtract(new java.math.BigDecimal(n.mtimeSec)).movePointRight(9).longValue();
            } catch (NumberFormatException ignored) {
                // keep the header's whole seconds
            }
        }
        tree.add(name, n);
    }

    private static String kind(char type) {
        return switch (type) {
            case '3' -> "character device";
            case '4' -> "block device";
            case '6' -> "FIFO";
            default -> "tar entry of type '" + type + "'";
        };
    }

    private byte[] meta(long data, long size, long header) throws IOException {
        if (size > MAX_META) {
            throw new ArchiveException("tar header at byte " + header + " announces " + size
                    + " bytes of long name or pax records; refused");
        }
        byte[] b = read(data, (int) size);
        if (b == null) {
            throw new ArchiveException("tar extended header at byte " + header + " ends past the end of the archive");
        }
        return b;
    }

    /** pax records: "LEN key=value\n", LEN counting the whole record. */
    static Map<String, String> paxRecords(byte[] b, long header) throws ArchiveException {
        Map<String, String> m = new HashMap<>();
        int i = 0;
        while (i < b.length && b[i] != 0) {
            int sp = i;
            while (sp < b.length && b[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(b, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new ArchiveException("bad pax record in the extended header at byte " + header);
            }
            if (len <= sp - i + 1 || i + len > b.length) {
                throw new ArchiveException("bad pax record length in the extended header at byte " + header);
            }
            String rec = new String(b, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) {
                m.put(rec.substring(0, eq), rec.substring(eq + 1));
            }
            i += len;
        }
        return m;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r'
                && h[262] == 0;
        if (posix && h[345] != 0) {
            return cString(h, 345, 155) + "/" + name;
        }
        return name;
    }

    private static boolean allZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseLong(String s, long otherwise) {
        if (s == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** A numeric field: octal ASCII, or GNU base-256 when the top bit of the first byte is set. */
    static long number(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x3f;
            for (int i = 1; i < len; i++) {
                if ((v >>> 55) != 0) {
                    return -1;
                }
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        return octal(h, off, len);
    }

    private static long octal(byte[] h, int off, int len) {
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            int c = h[i];
            if (c == 0 || (c == ' ' && digits)) {
                break;
            }
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            v = v * 8 + (c - '0');
            digits = true;
        }
        return v;
    }
}
