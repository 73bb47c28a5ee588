package io.rsplicefs.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fio jobs. Each is a job file in tests/fio (the single source of truth,
 * shipped in the jar as a resource); the runner only sets their parameters.
 */
public enum Job {
    SEQ1M("seq1m", "sequential read, bs=1M"),
    SEQ128K("seq128k", "sequential read, bs=128k"),
    RAND4K("rand4k", "random read, bs=4k (one pass or the time limit)"),
    SEQ1M2("seq1m2", "sequential read, bs=1M, 2 jobs on disjoint halves");

    private final String id;
    private final String title;

    Job(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** The job file's name, in tests/fio and among the jar's resources. */
    public String fileName() {
        return id + ".fio";
    }

    public boolean sequential() {
        return this != RAND4K;
    }

    public static Job parse(String s) {
        String want = s.trim().toLowerCase(Locale.ROOT);
        for (Job j : values()) {
            if (j.id.equals(want)) {
                return j;
            }
        }
        throw new IllegalArgumentException("unknown job '" + s + "' (expected some of: " + ids() + ")");
    }

    public static String ids() {
        List<String> ids = new ArrayList<>();
        for (Job j : values()) {
            ids.add(j.id);
        }
        return String.join(",", ids);
    }
}
