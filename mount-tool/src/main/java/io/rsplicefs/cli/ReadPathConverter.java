package io.rsplicefs.cli;

import io.rsplicefs.fs.read.ReadPath;
import java.util.Iterator;
import java.util.List;

/** --read-path values, with ReadPath's own message for a bad one (a usage error, exit 2). */
final class ReadPathConverter extends IdConverter<ReadPath> {
    ReadPathConverter() {
        super(ReadPath::parse);
    }

    /** For help and shell completion. */
    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("auto", "copy", "fd", "rsplice", "gift", "passthrough", "uring-zc").iterator();
        }
    }
}
