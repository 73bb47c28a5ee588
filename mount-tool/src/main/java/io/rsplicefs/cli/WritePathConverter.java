package io.rsplicefs.cli;

import io.rsplicefs.fs.write.WritePath;
import java.util.Iterator;
import java.util.List;

/** --write-path values, with WritePath's own message for a bad one (a usage error, exit 2). */
final class WritePathConverter extends IdConverter<WritePath> {
    WritePathConverter() {
        super(WritePath::parse);
    }

    /** For help and shell completion. */
    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("auto", "copy", "splice").iterator();
        }
    }
}
