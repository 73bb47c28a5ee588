package io.rsplicefs.fs.direct;

import java.util.HashMap;
import java.util.Map;

/**
 * Where a reader is in one directory's listing, for store-ahead: which
 * files to push after a READ from the start of the file at an index. A READ
 * that follows the last one (the next file or the one after: a directory
 * may lie between two files; or one already queued, which the reader got
 * to first) queues everything up to two windows on that is not yet queued,
 * except the file at the end of each window (the last index of every
 * {@code window}): its READ says how far the reader got, one window before
 * the pushes run out. A READ anywhere else only moves the reader.
 */
final class ListingWindow {
    private static final int[] NONE = new int[0];

    private final String[] names;
    private final Map<String, Integer> index = new HashMap<>();
    private final int window;
    /** Files up to here have been queued. */
    private int ahead = -1;
    /** The furthest file the reader asked for by a READ from its start. */
    private volatile int lastRead = -1;

    /** @param window files per window, 2 or more */
    ListingWindow(String[] names, int window) {
        this.names = names;
        this.window = window;
        for (int i = 0; i < names.length; i++) {
            index.put(names[i], i);
        }
    }

    /** The index of {@code name} in the listing, or -1. */
    int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    String name(int i) {
        return names[i];
    }

    /** A READ from the start of the file at {@code i}: the indices to push now, in order (often none). */
    synchronized int[] readAt(int i) {
        int last = lastRead;
        boolean onwards = i > last && (i - last <= 2 || i <= ahead);
        lastRead = Math.max(last, i);
        if (!onwards) {
            return NONE;
        }
        int from = Math.max(i + 1, ahead + 1);
        int to = (int) Math.min(names.length - 1L, i + 2L * window);
        ahead = Math.max(ahead, to);
        int[] out = new int[Math.max(0, to - from + 1)];
        int n = 0;
        for (int k = from; k <= to; k++) {
            if ((k + 1) % window != 0) {
                out[n++] = k;
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /** Whether the reader already asked for the file at {@code i} itself (a push of it would come too late). */
    boolean passed(int i) {
        return i <= lastRead;
    }
}
