package io.rsplicefs.cli;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.write.WritePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One mount as the user asked for it, with canonical paths; how the daemon child is told the same. */
record MountRequest(Path source, Path mountpoint, ReadPath readPath, WritePath writePath, boolean donate, boolean forceGift,
                    List<String> fuseOptions, boolean debug, int threads, boolean stableReplies,
                    long inflateCache, Path inflateCacheDir, Engine engine, int maxRequest, long readAhead,
                    boolean directIo, boolean writebackCache, Transport transport) {

    MountConfig toConfig() {
        MountConfig c = new MountConfig(source, mountpoint)
                .readPath(readPath)
                .writePath(writePath)
                .donate(donate)
                .forceGift(forceGift)
                .debug(debug)
                .engine(engine)
                .threads(threads)
                .singleThreaded(threads == 1)
                .maxRequestBytes(maxRequest)
                .readAheadBytes(readAhead)
                .directIo(directIo)
                .writebackCache(writebackCache)
                .transport(transport)
                .stableReplies(stableReplies)
                .inflateCacheBytes(inflateCache)
                .inflateCacheDir(inflateCacheDir);
        fuseOptions.forEach(c::fuseOption);
        return c;
    }

    /** The arguments for "rsplicefs mount" that make a daemon child serve this request. */
    List<String> daemonArgs() {
        List<String> a = new ArrayList<>();
        a.add("mount");
        a.add(MountCommand.DAEMON_OPTION);
        a.add("--read-path=" + readPath.id());
        a.add("--write-path=" + writePath.id());
        a.add(donate ? "--donate" : "--no-donate");
        if (forceGift) {
            a.add("--force-gift");
        }
        for (String o : fuseOptions) {
            a.add("-o");
            a.add(o);
        }
        if (debug) {
            a.add("-d");
        }
        a.add("--engine=" + engine.id());
        if (threads > 0) {
            a.add("--threads=" + threads);
        }
        a.add("--max-request=" + maxRequest);
        if (readAhead >= 0) {
            a.add("--read-ahead=" + readAhead);
        }
        if (directIo) {
            a.add("--direct-io");
        }
        if (writebackCache) {
            a.add("--writeback-cache");
        }
        if (transport != Transport.DEV) {
            a.add("--transport=" + transport.id());
        }
        a.add(stableReplies ? "--stable-replies" : "--no-stable-replies");
        a.add("--inflate-cache=" + inflateCache);
        a.add("--inflate-cache-dir=" + inflateCacheDir);
        a.add("--"); // paths may start with '-'
        a.add(source.toString());
        a.add(mountpoint.toString());
        return a;
    }

    /**
     * The request from what {@link #daemonArgs()} wrote after "mount --daemon-child", read
     * without picocli: building its model of every command took about 0.2 s of the daemon's start.
     * The launcher checked and canonicalised everything already, with the same jar.
     */
    static MountRequest fromDaemonArgs(List<String> args) {
        ReadPath readPath = ReadPath.AUTO;
        WritePath writePath = WritePath.AUTO;
        boolean donate = false;
        boolean forceGift = false;
        List<String> fuseOptions = new ArrayList<>();
        boolean debug = false;
        int threads = 0;
        boolean stableReplies = true;
        long inflateCache = 0;
        Path inflateCacheDir = null;
        Engine engine = Engine.DIRECT;
        int maxRequest = 1 << 20;
        long readAhead = -1;
        boolean directIo = false;
        boolean writebackCache = false;
        Transport transport = Transport.DEV;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            switch (a.contains("=") ? a.substring(0, a.indexOf('=')) : a) {
                case "--read-path" -> readPath = ReadPath.parse(value);
                case "--write-path" -> writePath = WritePath.parse(value);
                case "--donate" -> donate = true;
                case "--no-donate" -> donate = false;
                case "--force-gift" -> forceGift = true;
                case "-o" -> fuseOptions.add(args.get(++i));
                case "-d" -> debug = true;
                case "--engine" -> engine = Engine.parse(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--max-request" -> maxRequest = Integer.parseInt(value);
                case "--read-ahead" -> readAhead = Long.parseLong(value);
                case "--direct-io" -> directIo = true;
                case "--writeback-cache" -> writebackCache = true;
                case "--transport" -> transport = Transport.parse(value);
                case "--stable-replies" -> stableReplies = true;
                case "--no-stable-replies" -> stableReplies = false;
                case "--inflate-cache" -> inflateCache = Long.parseLong(value);
                case "--inflate-cache-dir" -> inflateCacheDir = Path.of(value);
                case "--" -> {
                    if (args.size() != i + 3) {
                        throw new IllegalArgumentException("daemon arguments: source and mount point expected after --");
                    }
                    return new MountRequest(Path.of(args.get(i + 1)), Path.of(args.get(i + 2)), readPath, writePath,
                            donate, forceGift, List.copyOf(fuseOptions), debug, threads, stableReplies, inflateCache,
                            inflateCacheDir, engine, maxRequest, readAhead, directIo, writebackCache, transport);
                }
                default -> throw new IllegalArgumentException("daemon arguments: unknown " + a);
            }
        }
        throw new IllegalArgumentException("daemon arguments: no -- before the paths");
    }
}
