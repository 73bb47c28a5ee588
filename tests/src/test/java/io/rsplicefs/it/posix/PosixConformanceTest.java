package io.rsplicefs.it.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential POSIX conformance of a shared mount ({@code -o allow_other}, a
 * root daemon): the same operations, by root, by nobody (a process run
 * through setpriv, no capabilities, no supplementary groups) and by nobody
 * with staff as a supplementary group, on a plain
 * directory of the backing filesystem (the oracle) and through the mount, in
 * plain, sticky and setgid directories. Every answer (OK, errno, what stat and
 * the xattr calls show) must be the same, and so must the final tree (owner,
 * group, mode, link counts once the attribute cache expired, xattrs), unless
 * the difference is one of {@link #DOCUMENTED}: the limits of libfuse 2.9's
 * path API listed in the README.
 */
@Tag("fuse")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PosixConformanceTest {
    static final int NOBODY = 65534;
    static final int STAFF = 50;
    /** The kernel's attribute and entry timeouts of the mount, plus a margin: then link counts are fresh. */
    static final Duration SETTLE = Duration.ofMillis(1500);
    static final Path JAR = Path.of(System.getProperty("rsplicefs.jar", "../mount-tool/target/rsplicefs.jar"))
            .toAbsolutePath().normalize();

    /** Differences that are limits of the engine (README, "POSIX behaviour"), by step label. */
    static final Map<String, String> DOCUMENTED = Map.of(
            "utime-omit", "libfuse 2.9 forwards utimens only when both times are set: UTIME_OMIT for one of "
                    + "them changes nothing",
            "stale-nlink", "libfuse 2.9 gives each name of a hard link its own node: the other name's link count"
                    + " is stale until its attributes expire (attr_timeout)",
            "acl", "POSIX ACLs: libfuse 2.9 cannot tell the kernel it handles them",
            "exchange", "renameat2 flags: libfuse 2.9's rename has none (RENAME_EXCHANGE, RENAME_NOREPLACE give EINVAL)");

    /**
     * The direct engine speaks the low-level protocol: one node per inode,
     * setattr with either time, rename flags, and POSIX ACLs (FUSE_POSIX_ACL)
     * where the backing filesystem has them: then none of these differences
     * is left. Without ACLs in the backing filesystem it does not ask for
     * them and the ACL steps differ as on jnr-fuse.
     */
    static java.util.Set<String> directLimits = java.util.Set.of();

    @TempDir
    Path base;

    record Step(String actor, String label, String[] op) {
        String line(Path root) {
            StringBuilder b = new StringBuilder(op[0]);
            for (int i = 1; i < op.length; i++) {
                b.append('\t').append(op[i].startsWith("/") ? root + op[i] : op[i]);
            }
            return b.toString();
        }

        String describe() {
            return actor + " " + String.join(" ", op);
        }
    }

    private final List<Step> steps = new ArrayList<>();

    private void as(String actor, String label, String... op) {
        steps.add(new Step(actor, label, op));
    }

    private void root(String... op) {
        as("root", "", op);
    }

    private void nobody(String... op) {
        as("nobody", "", op);
    }

    @Test
    void rootAndNobodyGetWhatTheBackingFilesystemGives() throws Exception {
        assumeTrue(isRoot(), "needs root: a root daemon and a caller run as nobody");
        assumeTrue(new File("/usr/bin/setpriv").canExecute(), "needs setpriv (util-linux)");
        Path classes = Path.of(OpRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.setAttribute(base, "unix:mode", 0755);
        Path oracle = Files.createDirectory(base.resolve("oracle"));
        script();
        List<String> cp = List.of("-cp", JAR + File.pathSeparator + classes);
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> documented = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (TestMount m = TestMount.of(base.resolve("src"), base.resolve("mnt"), ReadPath.AUTO, false,
                Duration.ofMinutes(4), c -> c.fuseOption("allow_other"));
             Runner rootRunner = Runner.start(List.of(), cp);
             Runner nobodyRunner = Runner.start(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                     "--clear-groups"), cp);
             Runner memberRunner = Runner.start(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                     "--groups=" + STAFF), cp)) {
            Path mnt = m.mountpoint();
            if (TestEngine.isDirect()) {
                List<String> agreed = m.stats().engine().accepted();
                System.out.println("posix conformance: direct engine, INIT flags agreed " + agreed);
                if (!agreed.contains("POSIX_ACL")) {
                    directLimits = java.util.Set.of("acl");
                }
            }
            for (Step s : steps) {
                Runner r = switch (s.actor()) {
                    case "root" -> rootRunner;
                    case "member" -> memberRunner;
                    default -> nobodyRunner;
                };
                String want = r.run(s.line(oracle));
                String got = r.run(s.line(mnt));
                compare(s.label(), s.describe(), want, got, report, failures, documented);
            }
            // The final tree, once the kernel's cached attributes have expired.
            Thread.sleep(SETTLE.toMillis());
            TreeSet<String> names = new TreeSet<>();
            names.addAll(tree(oracle));
            names.addAll(tree(mnt));
            for (String n : names) {
                String label = n.contains("acl") ? "acl" : n.matches(".*/e[123]") ? "exchange" : "";
                for (String op : List.of("stat", "listxattr")) {
                    compare(label, "final " + op + " " + n, rootRunner.run(op + "\t" + oracle + n),
                            rootRunner.run(op + "\t" + mnt + n), report, failures, documented);
                }
                if (label.equals("acl")) {
                    // what setting an ACL did to the mode landed on the backing file itself
                    compare(label, "final backing stat " + n, rootRunner.run("stat\t" + oracle + n),
                            rootRunner.run("stat\t" + base.resolve("src") + n), report, failures, documented);
                }
            }
        }
        report.forEach(System.out::println);
        System.out.printf("posix conformance: %d steps and a final tree of the same, %d differences documented"
                        + " as engine limits %s, %d undocumented, %.1f s%n", steps.size(), documented.values().stream()
                        .mapToInt(Integer::intValue).sum(), documented, failures.size(),
                (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of(), failures, "differences from the backing filesystem that the README does not list");
    }

    private static void compare(String label, String what, String want, String got, List<String> report,
                                List<String> failures, Map<String, Integer> documented) {
        String line = String.format("%-62s native: %-40s mount: %s", what, want, got);
        if (want.equals(got) || sameButOneBlock(want, got)) {
            report.add("  same " + line);
        } else if (DOCUMENTED.containsKey(label) && (!TestEngine.isDirect() || directLimits.contains(label))) {
            documented.merge(label, 1, Integer::sum);
            report.add("  DOC  " + line + "   (" + label + ")");
        } else {
            failures.add(line);
            report.add("  DIFF " + line);
        }
    }

    private static final java.util.regex.Pattern BLOCKS = java.util.regex.Pattern.compile(" blocks (\\d+)");

    /**
     * st_blocks of two files written the same way can differ by one filesystem block (8 sectors): when ext4's
     * delayed allocation wrote the first bytes back decides how fallocate's extents are laid out (seen once:
     * 248 vs 240 after fill + fallocate). Data (read) and sizes are compared exactly; a punched hole shows there.
     */
    static boolean sameButOneBlock(String want, String got) {
        java.util.regex.Matcher w = BLOCKS.matcher(want);
        java.util.regex.Matcher g = BLOCKS.matcher(got);
        if (!w.find() || !g.find()) {
            return false;
        }
        long diff = Math.abs(Long.parseLong(w.group(1)) - Long.parseLong(g.group(1)));
        return diff <= 8 && BLOCKS.matcher(want).replaceAll("").equals(BLOCKS.matcher(got).replaceAll(""));
    }

    /**
     * The script: setup as root, then per directory kind (root's 0755, a world-writable one, sticky,
     * setgid with a group nobody is not in), then fallocate, xattrs, the engine's limits. */
    private void script() {
        root("mkdir", "/closed", "0755");
        root("mkdir", "/plain", "0777");
        root("chmod", "/plain", "0777");
        root("mkdir", "/sticky", "0777");
        root("chmod", "/sticky", "1777");
        root("mkdir", "/sgid", "0777");
        root("chown", "/sgid", "0", "" + STAFF);
        root("chmod", "/sgid", "2777");
        for (String d : List.of("/closed", "/plain", "/sticky", "/sgid")) {
            nobody("create", d + "/f", "0644");
            nobody("mkdir", d + "/d", "0755");
            nobody("symlink", d + "/l", "f");
            nobody("mknod", d + "/p", "fifo", "0644");
            nobody("bindsock", d + "/s");
            nobody("mknod", d + "/c", "chr", "0600", "0x103");
            nobody("create", d + "/g", "2755");
            root("create", d + "/rf", "0666");
            root("mkdir", d + "/rd", "0755");
            root("mknod", d + "/rc", "chr", "0600", "0x103");
            root("symlink", d + "/rl", "rf");
            for (String n : List.of("f", "d", "l", "p", "s", "c", "g", "rf", "rd", "rc", "rl")) {
                nobody("stat", d + "/" + n);
            }
            nobody("utimes", d + "/f", "now", "now");
            nobody("write", d + "/f", "hi");
            nobody("read", d + "/f");
            nobody("create", d + "/d/x", "0644");
            nobody("chmod", d + "/f", "0600");
            nobody("chown", d + "/f", "-1", "" + NOBODY);
            nobody("chown", d + "/f", "0", "-1");
            nobody("chown", d + "/f", "-1", "0");
            root("chmod", d + "/rf", "0666");
            nobody("utimes", d + "/rf", "now", "now");
            nobody("utimes", d + "/rf", "100", "200");
            nobody("chmod", d + "/rf", "0600");
            nobody("chown", d + "/rf", "" + NOBODY, "-1");
            nobody("truncate", d + "/rf", "1");
            root("chmod", d + "/rf", "0644");
            nobody("truncate", d + "/rf", "0");
            nobody("open", d + "/rf", "w");
            nobody("utimes", d + "/f", "1000", "2000");
            nobody("times", d + "/f");
            as("nobody", "utime-omit", "utimes", d + "/f", "omit", "3000");
            as("nobody", "utime-omit", "times", d + "/f");
            as("nobody", "utime-omit", "utimes", d + "/f", "4000", "omit");
            as("nobody", "utime-omit", "times", d + "/f");
            nobody("rename", d + "/f", d + "/f2");
            nobody("stat", d + "/f2");
            nobody("link", d + "/f2", d + "/h");
            nobody("stat", d + "/h");
            // the other name: its cached attributes may still say 1 link until they expire
            as("nobody", "stale-nlink", "stat", d + "/f2");
            nobody("link", d + "/rf", d + "/h2");
            nobody("unlink", d + "/rf");
            nobody("rename", d + "/rd", d + "/rd2");
            nobody("rename", d + "/g", d + "/g2");
            root("rename", d + "/rc", d + "/g2");
            nobody("stat", d + "/g2");
            nobody("unlink", d + "/h");
            nobody("rmdir", d + "/d");
            nobody("unlink", d + "/d/x");
            nobody("rmdir", d + "/d");
        }
        // supplementary groups: nobody with staff as a supplementary group ("member")
        root("mkdir", "/grp", "0770");
        root("chown", "/grp", "0", "" + STAFF);
        root("chmod", "/grp", "0770");
        nobody("create", "/grp/n", "0644");
        as("member", "", "create", "/grp/m", "0644");
        as("member", "", "mkdir", "/grp/md", "0755");
        as("member", "", "stat", "/grp/m");
        as("member", "", "create", "/sgid/gm", "2755");
        as("member", "", "stat", "/sgid/gm");
        as("member", "", "chown", "/grp/m", "-1", "" + STAFF);
        as("member", "", "stat", "/grp/m");
        // fallocate: every mode the kernel forwards, on nobody's file in the sticky directory
        nobody("create", "/sticky/fa", "0644");
        nobody("fill", "/sticky/fa", "20000");
        nobody("fallocate", "/sticky/fa", "default", "0", "65536");
        nobody("stat", "/sticky/fa");
        nobody("fallocate", "/sticky/fa", "keep", "65536", "65536");
        nobody("stat", "/sticky/fa");
        nobody("fallocate", "/sticky/fa", "punch", "4096", "8192");
        nobody("read", "/sticky/fa");
        nobody("fallocate", "/sticky/fa", "zero", "16384", "4096");
        nobody("read", "/sticky/fa");
        nobody("stat", "/sticky/fa");
        nobody("fallocate", "/sticky/fa", "default", "0", "4096", "read-only fd");
        nobody("fallocate", "/sticky/rf", "default", "0", "4096");
        // xattr namespaces per caller
        nobody("create", "/sticky/x", "0644");
        nobody("setxattr", "/sticky/x", "user.a", "va");
        nobody("setxattr", "/sticky/x", "security.n", "vs");
        nobody("setxattr", "/sticky/x", "trusted.n", "vt");
        root("setxattr", "/sticky/x", "security.s", "vs");
        root("setxattr", "/sticky/x", "trusted.t", "vt");
        nobody("listxattr", "/sticky/x");
        root("listxattr", "/sticky/x");
        nobody("getxattr", "/sticky/x", "trusted.t");
        root("getxattr", "/sticky/x", "trusted.t");
        nobody("getxattr", "/sticky/x", "security.s");
        nobody("getxattr", "/sticky/x", "user.a");
        nobody("removexattr", "/sticky/x", "security.s");
        nobody("removexattr", "/sticky/x", "trusted.t");
        nobody("removexattr", "/sticky/x", "user.a");
        root("removexattr", "/sticky/x", "trusted.t");
        nobody("setxattr", "/sticky/rf", "user.b", "vb");
        nobody("setxattr", "/sticky/l", "user.c", "vc");
        nobody("setxattr", "/sticky/p", "user.c", "vc");
        nobody("getxattr", "/sticky/p", "user.c");
        root("listxattr", "/");
        // documented limits of libfuse 2.9
        nobody("create", "/sticky/acl", "0644");
        as("nobody", "acl", "getxattr", "/sticky/acl", "system.posix_acl_access");
        as("nobody", "acl", "setxattr", "/sticky/acl", "system.posix_acl_access", "acl:");
        as("root", "acl", "getxattr", "/sticky/acl", "system.posix_acl_access");
        aclSteps();
        truncSteps();
        root("create", "/sticky/e1", "0600");
        root("create", "/sticky/e2", "0644");
        as("root", "exchange", "exchange", "/sticky/e1", "/sticky/e2");
        as("root", "exchange", "stat", "/sticky/e1");
        as("root", "exchange", "noreplace", "/sticky/e1", "/sticky/e3");
    }

    /**
     * POSIX ACLs (labelled "acl": a documented limit on jnr-fuse, equal on the
     * direct engine): an access ACL that lets nobody read root's 0600 file, the
     * mode it sets, who may set one, a default ACL inherited by new files and
     * directories (where the umask does not apply), removing one.
     */
    private void aclSteps() {
        root("umask", "022");
        root("mkdir", "/acld", "0755");
        root("create", "/acld/f", "0600");
        as("nobody", "acl", "read", "/acld/f");
        as("root", "acl", "setxattr", "/acld/f", "system.posix_acl_access", "acl-r:");
        as("root", "acl", "stat", "/acld/f");
        as("nobody", "acl", "read", "/acld/f");
        as("nobody", "acl", "open", "/acld/f", "w");
        as("member", "acl", "read", "/acld/f");
        as("nobody", "acl", "setxattr", "/acld/f", "system.posix_acl_access", "acl:");
        as("nobody", "acl", "listxattr", "/acld/f");
        as("root", "acl", "chmod", "/acld/f", "0600");
        as("nobody", "acl", "read", "/acld/f");
        as("root", "acl", "getxattr", "/acld/f", "system.posix_acl_access");
        // a setgid file of nobody's in a group nobody is not in: setting an ACL drops the setgid bit natively
        root("create", "/acld/sg", "0644");
        root("chown", "/acld/sg", "" + NOBODY, "" + STAFF);
        root("chmod", "/acld/sg", "2644");
        as("nobody", "acl", "setxattr", "/acld/sg", "system.posix_acl_access", "acl:");
        as("nobody", "acl", "stat", "/acld/sg");
        root("create", "/acld/sm", "0644");
        root("chown", "/acld/sm", "" + NOBODY, "" + STAFF);
        root("chmod", "/acld/sm", "2644");
        as("member", "acl", "setxattr", "/acld/sm", "system.posix_acl_access", "acl:");
        as("member", "acl", "stat", "/acld/sm");
        root("mkdir", "/acld/dd", "0777");
        root("chmod", "/acld/dd", "0777");
        as("root", "acl", "setxattr", "/acld/dd", "system.posix_acl_default", "dacl:");
        as("root", "acl", "getxattr", "/acld/dd", "system.posix_acl_default");
        as("nobody", "acl", "setxattr", "/acld/dd", "system.posix_acl_default", "dacl:");
        as("root", "acl", "setxattr", "/acld/f", "system.posix_acl_default", "dacl:");
        for (String actor : List.of("root", "nobody")) {
            as(actor, "acl", "umask", "077");
            as(actor, "acl", "create", "/acld/dd/" + actor + "-f", "0666");
            as(actor, "acl", "stat", "/acld/dd/" + actor + "-f");
            as(actor, "acl", "getxattr", "/acld/dd/" + actor + "-f", "system.posix_acl_access");
            as(actor, "acl", "mkdir", "/acld/dd/" + actor + "-d", "0777");
            as(actor, "acl", "stat", "/acld/dd/" + actor + "-d");
            as(actor, "acl", "getxattr", "/acld/dd/" + actor + "-d", "system.posix_acl_default");
            as(actor, "acl", "mknod", "/acld/dd/" + actor + "-p", "fifo", "0666");
            as(actor, "acl", "stat", "/acld/dd/" + actor + "-p");
            as(actor, "acl", "umask", "022");
        }
        as("nobody", "acl", "read", "/acld/dd/root-f");
        as("nobody", "acl", "removexattr", "/acld/dd", "system.posix_acl_default");
        as("root", "acl", "removexattr", "/acld/dd", "system.posix_acl_default");
        as("root", "acl", "removexattr", "/acld/f", "system.posix_acl_access");
        as("root", "acl", "stat", "/acld/f");
        as("nobody", "acl", "read", "/acld/f");
        // the umask where no default ACL decides: applied by the kernel (jnr-fuse) or the daemon (direct)
        for (String actor : List.of("root", "nobody")) {
            as(actor, "", "umask", "027");
            as(actor, "", "create", "/plain/" + actor + "-um", "0666");
            as(actor, "", "mkdir", "/plain/" + actor + "-umd", "0777");
            as(actor, "", "mknod", "/plain/" + actor + "-ump", "fifo", "0666");
            as(actor, "", "bindsock", "/plain/" + actor + "-ums");
            for (String n : List.of("-um", "-umd", "-ump", "-ums")) {
                as(actor, "", "stat", "/plain/" + actor + n);
            }
            as(actor, "", "umask", "022");
        }
    }

    /**
     * open(O_TRUNC): on the direct engine the OPEN carries O_TRUNC and the daemon
     * truncates (atomic O_TRUNC); the kernel checks write permission first.
     */
    private void truncSteps() {
        root("create", "/plain/t", "0644");
        root("fill", "/plain/t", "5000");
        nobody("open", "/plain/t", "wt");
        nobody("open", "/plain/t", "rt");
        root("stat", "/plain/t");
        root("open", "/plain/t", "wt");
        root("stat", "/plain/t");
        root("fill", "/plain/t", "5000");
        root("chmod", "/plain/t", "0666");
        nobody("open", "/plain/t", "rt");
        nobody("stat", "/plain/t");
        root("chmod", "/plain/t", "0444");
        root("fill", "/plain/t", "300");
        root("open", "/plain/t", "rt");
        root("stat", "/plain/t");
    }

    /** "/a", "/a/b", ... below root (not following symlinks). */
    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> "/" + root.relativize(p)).toList();
        }
    }

    private static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    /** An {@link OpRunner} JVM, as root or behind a setpriv prefix. */
    static final class Runner implements AutoCloseable {
        private final Process p;
        private final BufferedReader out;
        private final Writer in;

        private Runner(Process p) {
            this.p = p;
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Runner start(List<String> prefix, List<String> cp) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("-Xshare:auto");
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.addAll(cp);
            cmd.add(OpRunner.class.getName());
            Process p = new ProcessBuilder(cmd).directory(new File("/")).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Runner r = new Runner(p);
            String first = r.out.readLine();
            if (!"ready".equals(first)) {
                r.close();
                throw new IOException("op runner " + cmd + " did not start: " + first);
            }
            return r;
        }

        String run(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
            String r = out.readLine();
            if (r == null) {
                throw new IOException("op runner ended at: " + line);
            }
            return r;
        }

        @Override
        public void close() throws IOException {
            in.close();
            try {
                if (!p.waitFor(TimeScale.of(10), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
