package io.rsplicefs.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Sizes as people write them: "1G", "256M", "512k", "1GiB", "1073741824" (binary units). */
final class ByteSizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String s) {
        return parse(s);
    }

    static long parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
        long mult = 1;
        if (!t.isEmpty() && "kmgt".indexOf(t.charAt(t.length() - 1)) >= 0) {
            mult = 1L << (10 * ("kmgt".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t.trim());
            if (v < 0 || v > Long.MAX_VALUE / mult) {
                throw new NumberFormatException();
            }
            return v * mult;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a size such as 1G, 256M or 4096");
        }
    }
}
