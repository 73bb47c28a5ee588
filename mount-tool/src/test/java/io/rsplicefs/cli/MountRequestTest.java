package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.write.WritePath;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the launcher tells its daemon child parses back, by the mount command's own options, to the same request. */
class MountRequestTest {
    static MountCommand parse(List<String> args) {
        MountCommand c = new MountCommand();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        return c;
    }

    @Test
    void daemonArgumentsParseBackToTheSameRequest() {
        MountRequest r = new MountRequest(Path.of("/src/-odd name"), Path.of("/mnt"), ReadPath.GIFT, WritePath.COPY, true,
                true, List.of("allow_other", "nonempty"), true, 1, false, 5L << 20, Path.of("/var/cache/x"), Engine.DIRECT,
                512 * 1024, 2 << 20, true, true, Transport.URING, 5);
        List<String> args = r.daemonArgs();
        assertEquals("mount", args.get(0));
        MountCommand c = parse(args.subList(1, args.size()));
        assertFalse(c.daemonChild, "the launcher adds its marker");
        assertEquals(r.source(), c.source, "a path starting with '-' after --");
        assertEquals(r.mountpoint(), c.mountpoint);
        assertEquals(ReadPath.GIFT, c.readPath);
        assertEquals(WritePath.COPY, c.writePath);
        assertTrue(c.donate);
        assertTrue(c.forceGift);
        assertEquals(List.of("allow_other", "nonempty"), c.fuseOptions);
        assertTrue(c.debug);
        assertEquals(1, c.threads);
        assertFalse(c.stableReplies);
        assertEquals(5L << 20, c.inflateCache);
        assertEquals(Path.of("/var/cache/x"), c.inflateCacheDir);
        assertEquals(Engine.DIRECT, c.engine);
        assertEquals(512 * 1024, c.maxRequest);
        assertEquals(2L << 20, c.readAhead);
        assertTrue(c.directIo);
        assertTrue(c.writebackCache);
        assertEquals(Transport.URING, c.transport);
        assertEquals(5, c.storeAhead);
    }

    @Test
    void aPlainBackgroundMountIsLaunchedWithoutParsingHere() {
        assertTrue(DaemonLauncher.launchesAtOnce("mount", "a.tar", "mp"));
        assertTrue(DaemonLauncher.launchesAtOnce("mount", "--read-path=rsplice", "-o", "-odd", "a", "b"));
        assertTrue(DaemonLauncher.launchesAtOnce("mount", "-oallow_other", "a", "b"));
        assertTrue(DaemonLauncher.launchesAtOnce("mount", "--", "-f", "b"), "after -- only operands");
    }

    @Test
    void anythingThatMayNotBeABackgroundMountIsParsedFirst() {
        assertFalse(DaemonLauncher.launchesAtOnce("mount", "a"), "a usage error");
        assertFalse(DaemonLauncher.launchesAtOnce("mount", "-f", "a", "b"));
        assertFalse(DaemonLauncher.launchesAtOnce("mount", "-d", "a", "b"));
        assertFalse(DaemonLauncher.launchesAtOnce("mount", "-fo", "ro", "a", "b"), "a cluster with -f");
        assertFalse(DaemonLauncher.launchesAtOnce("mount", "--help", "a", "b"));
        assertFalse(DaemonLauncher.launchesAtOnce("mount", MountCommand.DAEMON_OPTION, "a", "b"), "the child itself");
        assertFalse(DaemonLauncher.launchesAtOnce("stats", "a", "b"));
        assertFalse(DaemonLauncher.launchesAtOnce("/src", "/mp", "-o", "ro"), "mount(8)'s call: parsed first");
    }

    @Test
    void defaultsOfTheMountCommand() {
        MountCommand c = parse(List.of("/a", "/b"));
        assertEquals(ReadPath.AUTO, c.readPath);
        assertEquals(WritePath.AUTO, c.writePath);
        assertFalse(c.donate);
        assertTrue(c.stableReplies);
        assertFalse(c.forceGift);
        assertNull(c.threads);
        assertEquals(Engine.DIRECT, c.engine, "direct is the default engine");
        assertEquals(1 << 20, c.maxRequest);
        assertFalse(c.writebackCache, "the writeback cache is off unless asked for");
        assertEquals(List.of(), c.fuseOptions);
        assertFalse(c.foreground);
        assertFalse(c.daemonChild);
        assertEquals(1L << 30, c.inflateCache);
        assertEquals(Path.of("/var/tmp"), c.inflateCacheDir);
    }

    @Test
    void fuseOptionsSplitAtCommas() {
        assertEquals(List.of("ro", "allow_other", "nonempty"),
                parse(List.of("-o", "ro,allow_other", "-o", "nonempty", "/a", "/b")).fuseOptions);
    }

    @Test
    void theConfigCarriesTheRequest() {
        MountRequest r = new MountRequest(Path.of("/src"), Path.of("/mnt"), ReadPath.RSPLICE, WritePath.SPLICE, true,
                false, List.of("allow_other"), false, 1, false, 4096, Path.of("/d"), Engine.JNR_FUSE, 1 << 20, -1, false, false, Transport.DEV, 0);
        MountConfig c = r.toConfig();
        assertEquals(ReadPath.RSPLICE, c.readPath());
        assertEquals(WritePath.SPLICE, c.writePath());
        assertTrue(c.donate());
        assertTrue(c.singleThreaded());
        assertFalse(c.stableReplies());
        assertEquals(List.of("allow_other"), c.fuseOptions());
        assertEquals(4096, c.inflateCacheBytes());
        assertEquals(Path.of("/d"), c.inflateCacheDir());
        assertEquals(0, c.storeAheadFiles());
    }

    @Test
    void sizesAsPeopleWriteThem() {
        assertEquals(1L << 30, ByteSizeConverter.parse("1G"));
        assertEquals(256L << 20, ByteSizeConverter.parse("256MiB"));
        assertEquals(4096, ByteSizeConverter.parse("4096"));
        org.junit.jupiter.api.Assertions.assertThrows(CommandLine.TypeConversionException.class,
                () -> ByteSizeConverter.parse("lots"));
    }
}
