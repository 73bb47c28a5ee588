package io.rsplicefs.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * rsplicefs as the program that mount.fuse runs for {@code mount -t fuse.rsplicefs} and /etc/fstab:
 * {@code rsplicefs SOURCE MOUNTPOINT [-o OPT[,OPT...]]}. Every option of {@code rsplicefs mount} has a
 * {@code -o} name here; the call becomes {@code rsplicefs mount [options] SOURCE MOUNTPOINT}, a background
 * mount that returns once the mount is live. mount.fuse itself handles user, users, nouser, noauto,
 * _netdev and setuid=; what it passes on that only fstab means (defaults, nofail, x-*, comment=) is
 * dropped; every other option goes to the engine (libfuse, or the direct engine, which takes libfuse's
 * names for the kernel's options), which refuses what it does not know.
 */
final class MountHelper {
    /** One rsplicefs option as a mount option: its -o form, the mount argument it becomes, its help. */
    record Opt(String name, String value, String help) {
        String synopsis() {
            return value == null ? name : name + "=" + value;
        }
    }

    static final List<Opt> OPTIONS = List.of(
            new Opt("read_path", "PATH", "--read-path=PATH (auto, copy, fd, rsplice, ...)"),
            new Opt("write_path", "PATH", "--write-path=PATH (auto, copy, splice)"),
            new Opt("donate", null, "--donate (nodonate: --no-donate)"),
            new Opt("force_gift", null, "--force-gift"),
            new Opt("stable_replies", null, "--stable-replies (nostable_replies: --no-stable-replies)"),
            new Opt("threads", "N", "--threads=N (direct: N workers; jnr-fuse: only 1)"),
            new Opt("max_request", "SIZE", "--max-request=SIZE (direct: 128K to 1M)"),
            new Opt("writeback_cache", null, "--writeback-cache (direct only)"),
            new Opt("transport", "T", "--transport=T (direct: dev or uring)"),
            new Opt("inflate_cache", "SIZE", "--inflate-cache=SIZE (archives)"),
            new Opt("inflate_cache_dir", "DIR", "--inflate-cache-dir=DIR (archives)"),
            // One line per engine: each value is a whole option a reader can copy.
            new Opt("engine", "jnr-fuse", "--engine=jnr-fuse (libfuse 2.9)"),
            new Opt("engine", "direct", "--engine=direct (the default)"));

    /** Options only fstab and mount(8) care about, which mount.fuse passes on all the same. */
    static final Set<String> FSTAB_ONLY = Set.of("defaults", "auto", "noauto", "user", "users", "nouser", "owner",
            "group", "nofail", "_netdev");

    /** The engines that can serve a mount: the -o engine= values accepted. */
    static final List<String> ENGINES = List.of("jnr-fuse", "direct");

    private MountHelper() {
    }

    /** A mount option that cannot be honoured: one line, exit 2. */
    static final class BadOption extends Exception {
        private static final long serialVersionUID = 1L;

        BadOption(String message) {
            super(message);
        }
    }

    /**
     * Whether this is mount.fuse's call: a first argument that is no command and no option but a path
     * (it has a '/' or is a directory), and a second that is no option.
     */
    static boolean isHelperCall(String[] args, Set<String> commands) {
        if (args.length < 2 || args[0].startsWith("-") || args[1].startsWith("-") || commands.contains(args[0])) {
            return false;
        }
        if (args[0].contains("/")) {
            return true;
        }
        try {
            return Files.isDirectory(Path.of(args[0]));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** {@code SOURCE MOUNTPOINT [-o OPTS]...} as the arguments of {@code rsplicefs mount}. */
    static List<String> toMountArgs(String[] args) throws BadOption {
        List<String> mount = new ArrayList<>(List.of("mount"));
        List<String> fuse = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-o")) {
                if (++i == args.length) {
                    throw new BadOption("-o needs a value (-o OPT[,OPT...])");
                }
                options(args[i], mount, fuse);
            } else if (a.startsWith("-o")) {
                options(a.substring(2), mount, fuse);
            } else if (!Set.of("-n", "-s", "-v").contains(a)) {
                // -n (no mtab), -s (sloppy), -v (verbose) are mount(8)'s usual helper flags: nothing to do.
                throw new BadOption("unexpected argument '" + a + "' (a mount helper takes SOURCE MOUNTPOINT"
                        + " [-o OPT[,OPT...]])");
            }
        }
        if (fuse.stream().noneMatch(o -> o.startsWith("fsname=")) && !args[0].contains(",")) {
            // The mount table then names the source as fstab does: mount -a sees the entry is mounted,
            // and findmnt, df and umount SOURCE work as with any other filesystem.
            fuse.add(0, "fsname=" + args[0]);
        }
        if (!fuse.isEmpty()) {
            mount.add("-o");
            mount.add(String.join(",", fuse));
        }
        mount.add("--"); // paths may start with '-'
        mount.add(args[0]);
        mount.add(args[1]);
        return mount;
    }

    private static void options(String list, List<String> mount, List<String> fuse) throws BadOption {
        for (String raw : list.split(",")) {
            String o = raw.trim();
            if (o.isEmpty()) {
                continue;
            }
            int eq = o.indexOf('=');
            String name = (eq < 0 ? o : o.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : o.substring(eq + 1);
            String ours = name.replace('-', '_');
            switch (ours) {
                case "read_path" -> mount.add("--read-path=" + need(o, value));
                case "write_path" -> mount.add("--write-path=" + need(o, value));
                case "donate" -> mount.add(flag(o, value, "--donate"));
                case "nodonate", "no_donate" -> mount.add(flag(o, value, "--no-donate"));
                case "force_gift" -> mount.add(flag(o, value, "--force-gift"));
                case "stable_replies" -> mount.add(flag(o, value, "--stable-replies"));
                case "nostable_replies", "no_stable_replies" -> mount.add(flag(o, value, "--no-stable-replies"));
                case "threads" -> mount.add("--threads=" + need(o, value));
                case "max_request" -> mount.add("--max-request=" + need(o, value));
                case "writeback_cache" -> mount.add(flag(o, value, "--writeback-cache"));
                case "transport" -> mount.add("--transport=" + need(o, value));
                case "inflate_cache" -> mount.add("--inflate-cache=" + need(o, value));
                case "inflate_cache_dir" -> mount.add("--inflate-cache-dir=" + need(o, value));
                case "engine" -> {
                    String e = need(o, value).trim().toLowerCase(Locale.ROOT);
                    if (!ENGINES.contains(e)) {
                        throw new BadOption("mount option " + o + ": no such engine; use engine=jnr-fuse"
                                + " (libfuse 2.9) or engine=direct (needs only /dev/fuse)");
                    }
                    mount.add("--engine=" + e); // wins over $RSPLICEFS_ENGINE: the fstab line says it
                }
                case "debug", "foreground" -> throw new BadOption("mount option " + o + " would keep mount(8)"
                        + " waiting; run rsplicefs mount -f (or -d) SOURCE MOUNTPOINT instead");
                default -> {
                    if (FSTAB_ONLY.contains(name) || name.startsWith("x-") || name.equals("comment")) {
                        continue; // for fstab and mount(8), not for the filesystem
                    }
                    fuse.add(o); // libfuse's (allow_other, ro, nonempty, max_read=...): it refuses what it lacks
                }
            }
        }
    }

    private static String need(String opt, String value) throws BadOption {
        if (value == null || value.isEmpty()) {
            throw new BadOption("mount option " + opt + " needs a value (" + opt + "=...)");
        }
        return value;
    }

    private static String flag(String opt, String value, String arg) throws BadOption {
        if (value != null) {
            throw new BadOption("mount option " + opt + " takes no value");
        }
        return arg;
    }

    /** The help section on mount(8) use, shown by --help and in the man page. */
    static String[] helpSection() {
        List<String> lines = new ArrayList<>(Arrays.asList(
                "rsplicefs is also the program that mount.fuse runs for the type fuse.rsplicefs:",
                "  mount -t fuse.rsplicefs SOURCE MOUNTPOINT -o read_path=rsplice,donate",
                "  fstab line: /srv/data /mnt/data fuse.rsplicefs read_path=rsplice,nofail 0 0",
                "  on the direct engine: /srv/data /mnt/data fuse.rsplicefs engine=direct,threads=2,nofail 0 0",
                "It mounts in the background and returns once the mount is live (as rsplicefs mount does),"
                        + " with the source as the mount table's fsname; rsplicefs umount MOUNTPOINT or"
                        + " umount MOUNTPOINT unmounts.",
                "Mount options (-o), each the rsplicefs mount option named:"));
        for (Opt o : OPTIONS) {
            lines.add(String.format(Locale.ROOT, "  %-21s %s", o.synopsis(), o.help()));
        }
        lines.add("mount.fuse handles user, users, nouser, noauto, _netdev and setuid=USER itself; defaults,"
                + " nofail, x-* and comment= are left to mount(8) and systemd; every other option"
                + " (allow_other, ro, nosuid, nodev, nonempty, default_permissions, max_read=N, ...) goes to"
                + " the engine, which refuses one it does not know. Without engine=, the mount uses"
                + " $RSPLICEFS_ENGINE if it reaches the helper (mount(8) and systemd may not pass it on), else"
                + " direct.");
        lines.add("mount(8) runs helpers without PATH: rsplicefs must be in /usr/bin, /usr/local/bin or /sbin"
                + " (the Debian package installs /usr/bin/rsplicefs).");
        return lines.toArray(String[]::new);
    }
}
