package io.rsplicefs.cli;

import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Values of one of the id vocabularies (--read-path, --write-path), with its own message for a bad one (exit 2). */
abstract class IdConverter<T> implements ITypeConverter<T> {
    private final Function<String, T> parse;

    IdConverter(Function<String, T> parse) {
        this.parse = parse;
    }

    @Override
    public T convert(String value) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
