package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ReadPathConverterTest {
    @Test
    void everyCandidateConvertsToTheReadPathOfThatId() {
        List<String> ids = new ArrayList<>();
        new ReadPathConverter.Candidates().forEach(ids::add);
        assertEquals(ReadPath.values().length, ids.size(), "one candidate per read path");
        for (String id : ids) {
            assertEquals(id, new ReadPathConverter().convert(id).id());
        }
    }

    @Test
    void anUnknownPathIsAConversionErrorThatNamesIt() {
        TypeConversionException e = assertThrows(TypeConversionException.class,
                () -> new ReadPathConverter().convert("zerocopy"));
        assertTrue(e.getMessage().contains("zerocopy"), e.getMessage());
    }
}
