package io.rsplicefs.it.support;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;

/**
 * A mount's counters as any client sees them: the JSON in the xattr
 * {@code user.rsplicefs.stats} of the mount root, read through the kernel
 * (so it also proves the mount still answers).
 */
public final class StatsXattr {
    private final Map<String, Object> json;

    private StatsXattr(Map<String, Object> json) {
        this.json = json;
    }

    public static StatsXattr read(Path mountRoot) throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(mountRoot, UserDefinedFileAttributeView.class);
        String name = "rsplicefs.stats"; // the view adds the "user." namespace
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        b.flip();
        return new StatsXattr(JSON.std.mapFrom(StandardCharsets.UTF_8.decode(b).toString()));
    }

    /** One counter of one read path, e.g. ("rsplice", "spliceReplies"). */
    public long readPath(String path, String counter) {
        Map<?, ?> paths = (Map<?, ?>) json.get("readPaths");
        return ((Number) ((Map<?, ?>) paths.get(path)).get(counter)).longValue();
    }

    /** Write requests the daemon served. */
    public long writes() {
        return ((Number) ((Map<?, ?>) json.get("writes")).get("requests")).longValue();
    }

    /** Exceptions caught in callbacks (returned as EIO), by operation and class; empty when none. */
    public Map<?, ?> callbackFailures() {
        return (Map<?, ?>) json.get("callbackFailures");
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
