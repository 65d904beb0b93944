package dev.fineturn.models.fuzz;

import dev.fineturn.models.pytorch.TorchStateDictReader;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.Fuzzer;
import dev.fineturn.models.testing.Mutations;
import dev.fineturn.models.testing.ZipBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchStateDictFuzzTest {
    private static final List<String> FIXTURES = List.of("tiny", "nested", "proto4");

    @TempDir
    Path dir;

    @Test
    void mutatedCheckpointsParseOrFailCleanly() throws IOException {
        List<byte[]> raw = new ArrayList<>();
        List<ZipBuilder> templates = new ArrayList<>();
        for (String name : FIXTURES) {
            raw.add(Files.readAllBytes(Fixtures.file(name + ".pth")));
            templates.add(ZipBuilder.of(Fixtures.file(name + ".pth")));
        }
        Fuzzer.Outcome o = Fuzzer.run(dir.resolve("fuzz.pth"), 0x5eed_0003L, 2500, Duration.ofSeconds(15), r -> {
            int k = r.nextInt(FIXTURES.size());
            return mutate(raw.get(k), templates.get(k), FIXTURES.get(k), r);
        }, TorchStateDictReader::read);
        assertTrue(o.parsed() > 20 && o.refused() > 500, o.toString());
        assertEquals(0, o.unprintable(), "error messages must escape what they quote from the file");
    }

    /**
     * A third of the time the raw archive; otherwise the pickle (mostly) or one storage inside a
     * rebuilt, well-formed archive, which reaches the unpickler and the view checks.
     */
    private static byte[] mutate(byte[] zip, ZipBuilder template, String folder, Random r) {
        int choice = r.nextInt(3);
        if (choice == 0) {
            return Mutations.mutate(zip, r);
        }
        String entry = choice == 1 || r.nextInt(4) > 0 ? folder + "/data.pkl" : folder + "/data/" + r.nextInt(4);
        return template.copy().replace(entry, Mutations.mutate(template.entry(entry), r)).build();
    }
}
