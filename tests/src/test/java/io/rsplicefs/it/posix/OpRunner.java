package io.rsplicefs.it.posix;

import static io.rsplicefs.nativeio.FileConstants.AT_SYMLINK_NOFOLLOW;
import static io.rsplicefs.nativeio.FileConstants.O_CLOEXEC;
import static io.rsplicefs.nativeio.FileConstants.O_CREAT;
import static io.rsplicefs.nativeio.FileConstants.O_EXCL;
import static io.rsplicefs.nativeio.FileConstants.O_NOFOLLOW;
import static io.rsplicefs.nativeio.FileConstants.O_PATH;
import static io.rsplicefs.nativeio.FileConstants.O_RDONLY;
import static io.rsplicefs.nativeio.FileConstants.O_RDWR;
import static io.rsplicefs.nativeio.FileConstants.O_TRUNC;
import static io.rsplicefs.nativeio.FileConstants.O_WRONLY;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Runs file operations read from stdin, one a line (tab-separated: op, args),
 * and prints one line of result each: "OK", "OK value" or the errno's name.
 * Started once per user (root, or nobody through setpriv) by
 * {@link PosixConformanceTest}; the same lines are run on the backing
 * directory (the oracle) and through the mount, and the answers compared.
 * System calls go through the rsplice JNI helper, so errnos are exact.
 */
public final class OpRunner {
    private static final int AT_FDCWD = -100;

    private OpRunner() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("ready");
        for (String line; (line = in.readLine()) != null; ) {
            String r;
            try {
                r = run(line.split("\t", -1));
            } catch (NativeIoException e) {
                r = e.errnoName();
            } catch (Exception e) {
                r = "EXC " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            out.println(r.replace('\n', ' '));
        }
    }

    private static int mode(String octal) {
        return Integer.parseInt(octal, 8);
    }

    private static String run(String[] a) throws Exception {
        String p = a.length > 1 ? a[1] : null;
        switch (a[0]) {
            case "create" -> close(AtFiles.openat(AT_FDCWD, p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode(a[2])));
            case "open" -> close(AtFiles.openat(AT_FDCWD, p, flags(a[2]) | O_CLOEXEC, 0666));
            case "write" -> {
                // echo TEXT > P: O_WRONLY|O_CREAT|O_TRUNC, mode 0666 (before umask)
                int fd = AtFiles.openat(AT_FDCWD, p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
                AtFiles.close(fd);
                Files.write(Path.of(p), a[2].getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE);
            }
            case "fill" -> {
                byte[] b = new byte[Integer.parseInt(a[2])];
                new Random(7).nextBytes(b);
                Files.write(Path.of(p), b, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            }
            case "read" -> {
                close(AtFiles.openat(AT_FDCWD, p, O_RDONLY | O_CLOEXEC, 0));
                byte[] b = Files.readAllBytes(Path.of(p));
                CRC32 crc = new CRC32();
                crc.update(b);
                return "OK " + b.length + " bytes crc " + Long.toHexString(crc.getValue());
            }
            case "mkdir" -> AtFiles.mkdirat(AT_FDCWD, p, mode(a[2]));
            case "umask" -> AtFiles.umask(mode(p)); // this runner's umask, for the creates that follow
            case "symlink" -> AtFiles.symlinkat(a[2], AT_FDCWD, p);
            case "mknod" -> AtFiles.mknodat(AT_FDCWD, p, type(a[2]) | mode(a[3]), a.length > 4 ? Long.decode(a[4]) : 0);
            case "bindsock" -> {
                try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    s.bind(UnixDomainSocketAddress.of(p));
                } catch (java.io.IOException e) {
                    return "ERR " + e.getMessage();
                }
            }
            case "chmod" -> AtFiles.fchmodat(AT_FDCWD, p, mode(a[2]), 0);
            case "chown" -> AtFiles.fchownat(AT_FDCWD, p, Integer.parseInt(a[2]), Integer.parseInt(a[3]),
                    AT_SYMLINK_NOFOLLOW);
            case "truncate" -> {
                int fd = AtFiles.openat(AT_FDCWD, p, O_WRONLY | O_CLOEXEC, 0);
                try {
                    AtFiles.ftruncate(fd, Long.parseLong(a[2]));
                } finally {
                    AtFiles.close(fd);
                }
            }
            case "utimes" -> AtFiles.utimensat(AT_FDCWD, p, sec(a[2]), nsec(a[2]), sec(a[3]), nsec(a[3]), 0);
            case "times" -> {
                FileStat s = AtFiles.fstatat(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW);
                return "OK atime " + s.atimeSec() + " mtime " + s.mtimeSec();
            }
            case "rename" -> AtFiles.renameat2(AT_FDCWD, p, AT_FDCWD, a[2], 0);
            case "exchange" -> AtFiles.renameat2(AT_FDCWD, p, AT_FDCWD, a[2], FileConstants.RENAME_EXCHANGE);
            case "noreplace" -> AtFiles.renameat2(AT_FDCWD, p, AT_FDCWD, a[2], FileConstants.RENAME_NOREPLACE);
            case "link" -> AtFiles.linkat(AT_FDCWD, p, AT_FDCWD, a[2], 0);
            case "unlink" -> AtFiles.unlinkat(AT_FDCWD, p, 0);
            case "rmdir" -> AtFiles.unlinkat(AT_FDCWD, p, FileConstants.AT_REMOVEDIR);
            case "fallocate" -> {
                int fd = AtFiles.openat(AT_FDCWD, p, (a.length > 5 ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
                try {
                    AtFiles.fallocate(fd, fallocMode(a[2]), Long.parseLong(a[3]), Long.parseLong(a[4]));
                } finally {
                    AtFiles.close(fd);
                }
            }
            case "stat" -> {
                FileStat s = AtFiles.fstatat(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW);
                String size = (s.mode() & FileConstants.S_IFMT) == FileConstants.S_IFREG
                        ? " size " + s.size() + " blocks " + s.blocks() : "";
                return "OK mode " + Integer.toOctalString(s.mode()) + " uid " + s.uid() + " gid " + s.gid()
                        + " nlink " + s.nlink() + size;
            }
            case "setxattr" -> withPathFd(p, fd -> AtFiles.setxattr(fd, a[2], value(a[3]), 0));
            case "getxattr" -> {
                int fd = AtFiles.openat(AT_FDCWD, p, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
                try {
                    byte[] v = AtFiles.getxattr(fd, a[2]);
                    return "OK " + (a[2].startsWith("system.") ? v.length + " bytes"
                            : new String(v, StandardCharsets.UTF_8));
                } finally {
                    AtFiles.close(fd);
                }
            }
            case "listxattr" -> {
                int fd = AtFiles.openat(AT_FDCWD, p, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
                try {
                    byte[] b = new byte[AtFiles.listxattr(fd, null)];
                    int n = b.length == 0 ? 0 : AtFiles.listxattr(fd, b);
                    String[] names = n == 0 ? new String[0]
                            : new String(b, 0, n - 1, StandardCharsets.UTF_8).split("\0");
                    Arrays.sort(names);
                    return "OK " + String.join(",", names);
                } finally {
                    AtFiles.close(fd);
                }
            }
            case "removexattr" -> withPathFd(p, fd -> AtFiles.removexattr(fd, a[2]));
            default -> throw new IllegalArgumentException("unknown op " + a[0]);
        }
        return "OK";
    }

    private static void close(int fd) throws NativeIoException {
        AtFiles.close(fd);
    }

    private interface FdCall {
        void run(int fd) throws NativeIoException;
    }

    private static void withPathFd(String p, FdCall call) throws NativeIoException {
        int fd = AtFiles.openat(AT_FDCWD, p, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        try {
            call.run(fd);
        } finally {
            AtFiles.close(fd);
        }
    }

    private static int flags(String f) {
        return switch (f) {
            case "r" -> O_RDONLY;
            case "w" -> O_WRONLY;
            case "rw" -> O_RDWR;
            case "wt" -> O_WRONLY | O_TRUNC;
            case "rt" -> O_RDONLY | O_TRUNC;
            default -> throw new IllegalArgumentException(f);
        };
    }

    private static int type(String t) {
        return switch (t) {
            case "fifo" -> FileConstants.S_IFIFO;
            case "sock" -> FileConstants.S_IFSOCK;
            case "chr" -> FileConstants.S_IFCHR;
            case "blk" -> FileConstants.S_IFBLK;
            case "reg" -> FileConstants.S_IFREG;
            default -> throw new IllegalArgumentException(t);
        };
    }

    private static int fallocMode(String m) {
        return switch (m) {
            case "default" -> 0;
            case "keep" -> FileConstants.FALLOC_FL_KEEP_SIZE;
            case "punch" -> FileConstants.FALLOC_FL_PUNCH_HOLE | FileConstants.FALLOC_FL_KEEP_SIZE;
            case "zero" -> FileConstants.FALLOC_FL_ZERO_RANGE;
            default -> throw new IllegalArgumentException(m);
        };
    }

    /** "now", "omit" or seconds. */
    private static long sec(String t) {
        return t.equals("now") || t.equals("omit") ? 0 : Long.parseLong(t);
    }

    private static long nsec(String t) {
        return switch (t) {
            case "now" -> FileConstants.UTIME_NOW;
            case "omit" -> FileConstants.UTIME_OMIT;
            default -> 0;
        };
    }

    /**
     * A text value, or a POSIX ACL in system.posix_acl_*'s format (version 2, then tag, perm, id per entry):
     * "acl:" u::rw u:nobody:rw g::r m::rw o::r; "acl-r:" u::rw u:nobody:r g::- m::r o::-;
     * "dacl:" (a default ACL) u::rwx u:nobody:rwx g::rx m::rwx o::rx.
     */
    private static byte[] value(String v) {
        int[][] entries = switch (v) {
            case "acl:" -> new int[][] {{0x01, 6, -1}, {0x02, 6, 65534}, {0x04, 4, -1}, {0x10, 6, -1}, {0x20, 4, -1}};
            case "acl-r:" -> new int[][] {{0x01, 6, -1}, {0x02, 4, 65534}, {0x04, 0, -1}, {0x10, 4, -1},
                {0x20, 0, -1}};
            case "dacl:" -> new int[][] {{0x01, 7, -1}, {0x02, 7, 65534}, {0x04, 5, -1}, {0x10, 7, -1},
                {0x20, 5, -1}};
            default -> null;
        };
        if (entries == null) {
            return v.getBytes(StandardCharsets.UTF_8);
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        return b.array();
    }
}
