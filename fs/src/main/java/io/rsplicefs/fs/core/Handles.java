package io.rsplicefs.fs.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Maps fi->fh numbers to handles. Numbers are never reused, so a stale fh finds nothing. */
final class Handles {
    private final ConcurrentHashMap<Long, OpenHandle> byId = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(OpenHandle h) {
        long id = next.getAndIncrement();
        byId.put(id, h);
        return id;
    }

    OpenHandle get(long id) {
        return byId.get(id);
    }

    OpenHandle remove(long id) {
        return byId.remove(id);
    }

    int size() {
        return byId.size();
    }
}
