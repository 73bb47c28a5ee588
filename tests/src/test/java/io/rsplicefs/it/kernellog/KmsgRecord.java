package io.rsplicefs.it.kernellog;

/**
 * One record of /dev/kmsg: "PRIO,SEQ,MICROS,FLAGS[,...];TEXT" followed by
 * optional " KEY=VALUE" lines (ignored). PRIO is facility * 8 + level; the
 * kernel's own messages have facility 0, user space writing to /dev/kmsg
 * has another.
 */
record KmsgRecord(long seq, int facility, int level, String text) {

    static KmsgRecord parse(String raw) {
        int semi = raw.indexOf(';');
        int nl = raw.indexOf('\n', semi + 1);
        String[] head = raw.substring(0, semi).split(",");
        int prio = Integer.parseInt(head[0]);
        return new KmsgRecord(Long.parseLong(head[1]), prio >> 3, prio & 7,
                raw.substring(semi + 1, nl < 0 ? raw.length() : nl));
    }

    boolean fromKernel() {
        return facility == 0;
    }

    @Override
    public String toString() {
        return "seq " + seq + " <" + level + "> " + text;
    }
}
