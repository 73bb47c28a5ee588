package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.MountException;
import java.util.ArrayList;
import java.util.List;

/**
 * How long the kernel may trust what a reply told it, libfuse's options of
 * the same names: entry_timeout (a name's lookup), attr_timeout (attributes),
 * negative_timeout (a name that does not exist; 0: not cached). libfuse's
 * defaults: 1 s, 1 s, 0.
 */
record Timeouts(long entryNanos, long attrNanos, long negativeNanos) {
    static final Timeouts DEFAULT = new Timeouts(1_000_000_000L, 1_000_000_000L, 0);

    /** Takes the timeout options out of {@code options} (the rest goes to the kernel). */
    static Timeouts take(List<String> options, List<String> rest) throws MountException {
        long entry = DEFAULT.entryNanos;
        long attr = DEFAULT.attrNanos;
        long negative = DEFAULT.negativeNanos;
        for (String o : options) {
            if (o.startsWith("entry_timeout=")) {
                entry = nanos(o);
            } else if (o.startsWith("attr_timeout=")) {
                attr = nanos(o);
            } else if (o.startsWith("negative_timeout=")) {
                negative = nanos(o);
            } else {
                rest.add(o);
            }
        }
        return new Timeouts(entry, attr, negative);
    }

    static Timeouts take(List<String> options) throws MountException {
        return take(options, new ArrayList<>());
    }

    private static long nanos(String option) throws MountException {
        String v = option.substring(option.indexOf('=') + 1);
        try {
            double s = Double.parseDouble(v);
            if (s < 0 || Double.isNaN(s) || s > 1e9) {
                throw new NumberFormatException();
            }
            return (long) (s * 1e9);
        } catch (NumberFormatException e) {
            throw new MountException("mount option " + option + ": not a number of seconds");
        }
    }
}
