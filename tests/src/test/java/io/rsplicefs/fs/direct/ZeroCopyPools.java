package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.FuseMount;
import io.rsplicefs.nativeio.FuseRing;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only view of a direct-engine mount's io_uring payload buffers, which on
 * a zero-copy queue are the queue's bufpool (slot 0 of the ring's buffer
 * table). Reached by reflection from the test side (this class is in the
 * engine's package, but compiled with the tests): nothing in the engine
 * exists for it, so it cannot change how the engine behaves. For the canary
 * test of UringZeroCopyCanaryTest: the daemon's mapped memory must never hold a
 * zero-copied file's bytes.
 */
public final class ZeroCopyPools {
    private ZeroCopyPools() {
    }

    /** Each ring's whole payload region (every entry's buffer), as a duplicate positioned at 0. */
    public static List<ByteBuffer> of(FuseMount m) throws ReflectiveOperationException {
        Object engine = field(FuseMount.class, "engine").get(m);
        if (!(engine instanceof DirectSession s)) {
            throw new IllegalStateException("not a direct-engine mount: " + engine);
        }
        UringTransport t = (UringTransport) field(DirectSession.class, "uring").get(s);
        if (t == null) {
            throw new IllegalStateException("the mount has no io_uring transport");
        }
        Field ring = field(RingWorker.class, "ring");
        List<ByteBuffer> pools = new ArrayList<>();
        for (RingWorker w : t.workers()) {
            FuseRing r = (FuseRing) ring.get(w);
            ByteBuffer b = r.payloads().duplicate().clear();
            b.limit((int) Math.min(b.capacity(), r.depth() * r.payloadBytes()));
            pools.add(b.slice());
        }
        return pools;
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
