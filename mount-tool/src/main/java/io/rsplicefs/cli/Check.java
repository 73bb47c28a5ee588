package io.rsplicefs.cli;

import java.util.Locale;

/** One doctor finding: a status, what was checked, and one line of detail or fix. */
record Check(Status status, String name, String detail) {
    enum Status {
        /** Present and working. */
        OK,
        /** Missing or not working, but the default configuration does not need it. */
        WARN,
        /** The default configuration (read path auto, donation off) cannot work without it. */
        FAIL
    }

    static Check ok(String name, String detail) {
        return new Check(Status.OK, name, detail);
    }

    static Check warn(String name, String detail) {
        return new Check(Status.WARN, name, detail);
    }

    static Check fail(String name, String detail) {
        return new Check(Status.FAIL, name, detail);
    }

    String line() {
        return String.format(Locale.ROOT, "%-4s  %-14s  %s", status, name, detail);
    }
}
