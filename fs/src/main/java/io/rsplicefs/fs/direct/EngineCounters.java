package io.rsplicefs.fs.direct;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the direct engine saw and did: requests per opcode, the READ and
 * WRITE sizes the kernel asked for, requests it refused (unknown opcode:
 * ENOSYS; malformed: EIO), replies the kernel did not take.
 */
final class EngineCounters {
    private static final int OPCODES = 64;
    private final AtomicLongArray requests = new AtomicLongArray(OPCODES);
    private final LongAdder unknownOpcodes = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder replyFailures = new LongAdder();
    private final LongAdder interrupts = new LongAdder();
    private final LongAdder shortRanges = new LongAdder();
    private final LongAdder requestPipeRefused = new LongAdder();
    /** READ requests by size in KiB (powers of two up to 1 MiB; the last bucket is "larger"). */
    private final AtomicLongArray readSizes = new AtomicLongArray(12);
    private final AtomicLongArray writeSizes = new AtomicLongArray(12);

    void request(int opcode) {
        if (opcode >= 0 && opcode < OPCODES) {
            requests.incrementAndGet(opcode);
        }
    }

    void unknown() {
        unknownOpcodes.increment();
    }

    void malformed() {
        malformed.increment();
    }

    void replyFailed() {
        replyFailures.increment();
    }

    void interrupt() {
        interrupts.increment();
    }

    void shortRangeCopied() {
        shortRanges.increment();
    }

    /** A request read into memory because the worker's pipe could not be had (a WRITE is then copied). */
    void requestPipeRefused() {
        requestPipeRefused.increment();
    }

    long requestPipeRefusals() {
        return requestPipeRefused.sum();
    }

    void readSize(long bytes) {
        readSizes.incrementAndGet(bucket(bytes));
    }

    void writeSize(long bytes) {
        writeSizes.incrementAndGet(bucket(bytes));
    }

    /** 0: up to 1 KiB ... 10: up to 1 MiB, 11: larger. */
    private static int bucket(long bytes) {
        int b = 0;
        long limit = 1024;
        while (b < 11 && bytes > limit) {
            b++;
            limit <<= 1;
        }
        return b;
    }

    private static Map<String, Long> sizes(AtomicLongArray a) {
        Map<String, Long> m = new TreeMap<>((x, y) -> Long.compare(kib(x), kib(y)));
        for (int i = 0; i < a.length(); i++) {
            long v = a.get(i);
            if (v > 0) {
                m.put(i == 11 ? ">1024KiB" : "<=" + (1L << i) + "KiB", v);
            }
        }
        return m;
    }

    private static long kib(String label) {
        return label.startsWith(">") ? Long.MAX_VALUE : Long.parseLong(label.substring(2, label.length() - 3));
    }

    long unknownOpcodes() {
        return unknownOpcodes.sum();
    }

    long malformedRequests() {
        return malformed.sum();
    }

    long replyFailures() {
        return replyFailures.sum();
    }

    long interrupts() {
        return interrupts.sum();
    }

    long shortRanges() {
        return shortRanges.sum();
    }

    Map<String, Long> requestsByOpcode() {
        Map<String, Long> m = new TreeMap<>();
        for (int i = 0; i < OPCODES; i++) {
            long v = requests.get(i);
            if (v > 0) {
                m.put(Fuse.opName(i), v);
            }
        }
        return m;
    }

    Map<String, Long> readSizes() {
        return sizes(readSizes);
    }

    Map<String, Long> writeSizes() {
        return sizes(writeSizes);
    }
}
