package dev.fineturn.models.fuzz;

import dev.fineturn.models.numpy.NpyReader;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.Fuzzer;
import dev.fineturn.models.testing.Mutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedArraysParseOrFailCleanly() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("f4", "v2", "v3", "be_i8", "f2", "scalar", "b1")) {
            seeds.add(Files.readAllBytes(Fixtures.file(name + ".npy")));
        }
        // Bytes 8-11 hold the header length (2 bytes in version 1, 4 in versions 2 and 3).
        Fuzzer.Outcome o = Fuzzer.run(dir.resolve("fuzz.npy"), 0x5eed_0001L, 4000, Duration.ofSeconds(15),
                r -> Mutations.mutate(seeds.get(r.nextInt(seeds.size())), r, 8, 9, 10, 11), NpyReader::read);
        assertTrue(o.parsed() > 20 && o.refused() > 1000, o.toString());
        assertEquals(0, o.unprintable(), "error messages must escape what they quote from the file");
    }
}
