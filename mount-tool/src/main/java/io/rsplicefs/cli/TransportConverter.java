package io.rsplicefs.cli;

import io.rsplicefs.fs.Transport;
import java.util.Iterator;
import java.util.List;

/** --transport values, with Transport's own message for a bad one (a usage error, exit 2). */
final class TransportConverter extends IdConverter<Transport> {
    TransportConverter() {
        super(Transport::parse);
    }

    /** For help and shell completion. */
    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("dev", "uring").iterator();
        }
    }
}
