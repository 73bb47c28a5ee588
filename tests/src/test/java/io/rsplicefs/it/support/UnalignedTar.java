package io.rsplicefs.it.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A GNU tar made by tar(1) whose members' data start at offsets that are not page aligned: a 1000-byte first
 * member puts the next one's data at 2048. The zero-copy tests read stored members through it.
 */
public final class UnalignedTar {
    private UnalignedTar() {
    }

    /**
     * Writes {@code dir/t.tar} holding a-pad.bin, then m0, m1, ... of {@code sizes} (random bytes from
     * {@code seed + i}); returns the members' bytes in order.
     */
    public static List<byte[]> make(Path dir, int[] sizes, long seed) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.write(tree.resolve("a-pad.bin"), new byte[1000]); // the next member's data starts at 2048
        List<byte[]> data = new ArrayList<>();
        List<String> cmd = new ArrayList<>(List.of("tar", "--format=gnu", "-cf", dir.resolve("t.tar").toString(),
                "a-pad.bin"));
        for (int i = 0; i < sizes.length; i++) {
            data.add(TestData.write(tree.resolve("m" + i), sizes[i], seed + i));
            cmd.add("m" + i);
        }
        Process p = new ProcessBuilder(cmd).directory(tree.toFile()).inheritIO().start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, "tar");
        return data;
    }
}
