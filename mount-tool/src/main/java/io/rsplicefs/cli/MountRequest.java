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
                    boolean directIo, boolean writebackCache, Transport transport, int storeAhead) {

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
                .inflateCacheDir(inflateCacheDir)
                .storeAheadFiles(storeAhead);
        fuseOptions.forEach(c::fuseOption);
        return c;
    }

    /**
     * "mount" and the options and operands that ask for this request, every path absolute: what the daemon
     * child of a background mount parses ({@link DaemonLauncher} adds its marker).
     */
    List<String> daemonArgs() {
        List<String> a = new ArrayList<>();
        a.add("mount");
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
        if (storeAhead != MountConfig.DEFAULT_STORE_AHEAD) {
            a.add("--store-ahead=" + storeAhead);
        }
        a.add("--"); // paths may start with '-'
        a.add(source.toString());
        a.add(mountpoint.toString());
        return a;
    }
}
