package io.rsplicefs.cli;

import io.rsplicefs.fs.read.ReadPath;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** --read-path values, with ReadPath's own message for a bad one (a usage error, exit 2). */
final class ReadPathConverter implements ITypeConverter<ReadPath> {
    @Override
    public ReadPath convert(String value) {
        try {
            return ReadPath.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** For help and shell completion. */
    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("auto", "copy", "fd", "rsplice", "gift").iterator();
        }
    }
}
