package io.rsplicefs.it.support;

import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;

/** Unmaps a MappedByteBuffer now (Java only does it at GC), so a test's mapping does not keep a mount busy. */
public final class Unmap {
    private Unmap() {
    }

    public static void now(MappedByteBuffer buffer) throws ReflectiveOperationException {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        ((sun.misc.Unsafe) f.get(null)).invokeCleaner(buffer);
    }
}
