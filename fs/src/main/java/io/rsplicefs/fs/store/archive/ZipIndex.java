package io.rsplicefs.fs.store.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Indexes a zip archive from its central directory (found through the end
 * record, zip64 included) and each member's local header (for where its data
 * starts): stored and deflated members, data descriptors (the central
 * directory has the sizes), UTF-8 names (else CP437), unix modes and
 * symlinks from the external attributes, Info-ZIP uid/gid and timestamps.
 * Encrypted members and other compression methods are listed and refused on
 * open, by name.
 */
final class ZipIndex {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CEN = 0x02014b50;
    private static final int LOC = 0x04034b50;
    private static final long MAX_SYMLINK = 4096;

    private final FileChannel ch;
    private final long archiveSize;
    private final ArchiveTree tree;

    private ZipIndex(FileChannel ch, ArchiveTree tree) throws IOException {
        this.ch = ch;
        this.archiveSize = ch.size();
        this.tree = tree;
    }

    static void index(FileChannel ch, ArchiveTree tree) throws IOException {
        new ZipIndex(ch, tree).run();
    }

    /** The end record's offset, or -1: zip archives are recognized by it (also when something precedes them). */
    static long findEnd(FileChannel ch) throws IOException {
        long size = ch.size();
        int span = (int) Math.min(size, 22 + 65535);
        if (span < 22) {
            return -1;
        }
        ByteBuffer b = le(span);
        read(ch, b, size - span);
        for (int i = span - 22; i >= 0; i--) {
            if (b.getInt(i) == EOCD && i + 22 + (b.getShort(i + 20) & 0xffff) <= span) {
                return size - span + i;
            }
        }
        return -1;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean read(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        if (pos < 0) {
            return false;
        }
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                return false;
            }
        }
        b.flip();
        return true;
    }

    private ByteBuffer at(long pos, int len, String what) throws IOException {
        ByteBuffer b = le(len);
        if (!read(ch, b, pos)) {
            throw new ArchiveException(what + " at byte " + pos + " lies past the end of the archive (truncated?)");
        }
        return b;
    }

    private void run() throws IOException {
        long end = findEnd(ch);
        if (end < 0) {
            throw new ArchiveException("no zip end record");
        }
        ByteBuffer e = at(end, 22, "the end record");
        long entries = e.getShort(10) & 0xffff;
        long cdSize = e.getInt(12) & 0xffffffffL;
        long cdOffset = e.getInt(16) & 0xffffffffL;
        if (end >= 20) {
            ByteBuffer loc = at(end - 20, 20, "the zip64 locator");
            if (loc.getInt(0) == ZIP64_LOCATOR) {
                long z = loc.getLong(8);
                ByteBuffer r = at(z, 56, "the zip64 end record");
                if (r.getInt(0) != ZIP64_EOCD) {
                    throw new ArchiveException("the zip64 end record is missing at byte " + z);
                }
                entries = r.getLong(32);
                cdSize = r.getLong(40);
                cdOffset = r.getLong(48);
            }
        }
        if (cdOffset + cdSize > end || cdSize > Integer.MAX_VALUE || entries > cdSize / 46) {
            throw new ArchiveException("the central directory (" + entries + " entries, " + cdSize + " bytes at "
                    + cdOffset + ") does not fit in the archive (truncated or corrupt)");
        }
        ByteBuffer cd = at(cdOffset, (int) cdSize, "the central directory");
        int p = 0;
        for (long i = 0; i < entries; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CEN) {
                throw new ArchiveException("central directory entry " + i + " is corrupt (at byte " + (cdOffset + p) + ")");
            }
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw new ArchiveException("central directory entry " + i + " runs past the directory");
            }
            entry(cd, p, nameLen, extraLen);
            p += 46 + nameLen + extraLen + commentLen;
        }
    }

    private void entry(ByteBuffer cd, int p, int nameLen, int extraLen) throws IOException {
        int madeBy = cd.getShort(p + 4) & 0xffff;
        int flags = cd.getShort(p + 8) & 0xffff;
        int method = cd.getShort(p + 10) & 0xffff;
        int dosTime = cd.getShort(p + 12) & 0xffff;
        int dosDate = cd.getShort(p + 14) & 0xffff;
        long crc = cd.getInt(p + 16) & 0xffffffffL;
        long csize = cd.getInt(p + 20) & 0xffffffffL;
        long usize = cd.getInt(p + 24) & 0xffffffffL;
        long external = cd.getInt(p + 38) & 0xffffffffL;
        long local = cd.getInt(p + 42) & 0xffffffffL;
        byte[] nameBytes = new byte[nameLen];
        cd.get(p + 46, nameBytes);
        // unzip takes names as they are from archives made on Unix (their bytes are the locale's: UTF-8 here)
        // and converts from CP437 only for archives made on MS-DOS and the like; the UTF-8 flag wins.
        boolean unix = (madeBy >> 8) == 3;
        Charset cs = (flags & (1 << 11)) != 0 || unix ? StandardCharsets.UTF_8 : Charset.forName("IBM437");
        String name = new String(nameBytes, cs);
        int x = p + 46 + nameLen;
        int xEnd = x + extraLen;
        long mtime = dosTime(dosDate, dosTime);
        int uid = -1;
        int gid = -1;
        while (x + 4 <= xEnd) {
            int id = cd.getShort(x) & 0xffff;
            int len = cd.getShort(x + 2) & 0xffff;
            int d = x + 4;
            if (d + len > xEnd) {
                break;
            }
            int fieldsEnd = d + len;
            if (id == 0x0001) { // zip64: only the fields whose 32-bit value is all ones, in this order
                if (usize == 0xffffffffL && d + 8 <= fieldsEnd) {
                    usize = cd.getLong(d);
                    d += 8;
                }
                if (csize == 0xffffffffL && d + 8 <= fieldsEnd) {
                    csize = cd.getLong(d);
                    d += 8;
                }
                if (local == 0xffffffffL && d + 8 <= fieldsEnd) {
                    local = cd.getLong(d);
                }
            } else if (id == 0x7075 && len >= 5 && cd.get(d) == 1) { // Info-ZIP Unicode path: the UTF-8 name
                CRC32 c = new CRC32();
                c.update(nameBytes);
                if ((cd.getInt(d + 1) & 0xffffffffL) == c.getValue()) {
                    byte[] u = new byte[len - 5];
                    cd.get(d + 5, u);
                    name = new String(u, StandardCharsets.UTF_8);
                }
            } else if (id == 0x5455 && len >= 5 && (cd.get(d) & 1) != 0) {
                mtime = cd.getInt(d + 1) & 0xffffffffL;
            } else if (id == 0x7875 && len >= 3) {
                int us = cd.get(d + 1) & 0xff;
                if (us == 4 && len >= 3 + us + 1 && (cd.get(d + 2 + us) & 0xff) == 4 && len >= 2 + us + 1 + 4) {
                    uid = cd.getInt(d + 2);
                    gid = cd.getInt(d + 2 + us + 1);
                }
            }
            x += 4 + len;
        }
        int unixMode = (madeBy >> 8) == 3 ? (int) (external >>> 16) : 0;
        boolean dir = name.endsWith("/") || (unixMode & Node.S_IFMT) == Node.S_IFDIR;
        boolean symlink = !dir && (unixMode & Node.S_IFMT) == Node.S_IFLNK;
        Node n = tree.newNode(dir ? Node.S_IFDIR : symlink ? Node.S_IFLNK : Node.S_IFREG);
        n.permissions = unixMode != 0 ? unixMode & 07777 : dir ? 0755 : 0644;
        n.mtimeSec = mtime;
        if (uid >= 0) {
            n.uid = uid;
            n.gid = gid;
        }
        if (!dir) {
            n.size = usize;
            n.storedSize = csize;
            n.crc = crc;
            n.method = method == 8 ? Node.Method.DEFLATED : Node.Method.STORED;
            if ((flags & 1) != 0) {
                n.refusal = "it is encrypted";
            } else if (method != 0 && method != 8) {
                n.refusal = "it uses compression method " + method + " (" + methodName(method)
                        + "); only stored and deflated members are served";
            } else if (method == 0 && csize != usize) {
                n.refusal = "it is stored but its sizes differ (" + csize + " vs " + usize + ")";
            } else {
                n.dataOffset = dataOffset(local, name);
                if (n.dataOffset < 0) {
                    n.refusal = "its local header is missing or corrupt";
                } else if (n.dataOffset + csize > archiveSize) {
                    n.refusal = "its data ends past the end of the archive (truncated archive?)";
                }
            }
            if (symlink && n.refusal == null) {
                n.linkTarget = symlinkTarget(n);
                n.size = n.linkTarget.length;
            }
        }
        tree.add(name, n);
    }

    private long dataOffset(long local, String name) throws IOException {
        ByteBuffer b = le(30);
        if (!read(ch, b, local) || b.getInt(0) != LOC) {
            return -1;
        }
        return local + 30 + (b.getShort(26) & 0xffff) + (b.getShort(28) & 0xffff);
    }

    /** A symlink's target is the member's content (small: metadata, read onto the heap). */
    private byte[] symlinkTarget(Node n) throws IOException {
        if (n.storedSize > MAX_SYMLINK || n.size > MAX_SYMLINK) {
            throw new ArchiveException("symlink '" + n.memberName + "' has a target of " + n.size + " bytes");
        }
        ByteBuffer b = le((int) n.storedSize);
        read(ch, b, n.dataOffset);
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        if (n.method == Node.Method.STORED) {
            return raw;
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw);
            byte[] out = new byte[(int) n.size];
            int got = inf.inflate(out);
            if (got != out.length) {
                throw new ArchiveException("symlink target of '" + n.memberName + "' does not inflate");
            }
            return out;
        } catch (DataFormatException e) {
            throw new ArchiveException("symlink target of '" + n.memberName + "' does not inflate: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    private static String methodName(int m) {
        return switch (m) {
            case 9 -> "deflate64";
            case 12 -> "bzip2";
            case 14 -> "lzma";
            case 93 -> "zstd";
            case 95 -> "xz";
            case 99 -> "AES encryption";
            default -> "unknown";
        };
    }

    /** MS-DOS date and time, which zip writes in local time (as unzip reads it). */
    private static long dosTime(int date, int time) {
        try {
            LocalDateTime t = LocalDateTime.of(1980 + (date >> 9), Math.max(1, (date >> 5) & 0xf),
                    Math.max(1, date & 0x1f), (time >> 11) & 0x1f, (time >> 5) & 0x3f, Math.min(59, (time & 0x1f) * 2));
            return t.atZone(ZoneId.systemDefault()).toEpochSecond();
        } catch (java.time.DateTimeException e) {
            return 0;
        }
    }
}
