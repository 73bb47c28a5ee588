package io.rsplicefs.cli;

import io.rsplicefs.fs.Engine;
import java.util.Iterator;
import java.util.List;

/** --engine values, with Engine's own message for a bad one (a usage error, exit 2). */
final class EngineConverter extends IdConverter<Engine> {
    EngineConverter() {
        super(Engine::parse);
    }

    /** For help and shell completion. */
    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("jnr-fuse", "direct").iterator();
        }
    }
}
