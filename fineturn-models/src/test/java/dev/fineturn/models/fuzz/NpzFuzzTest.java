package dev.fineturn.models.fuzz;

import dev.fineturn.models.numpy.NpzReader;
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

class NpzFuzzTest {
    private static final List<String> FIXTURES = List.of("arrays.npz", "compressed.npz");

    @TempDir
    Path dir;

    @Test
    void mutatedArchivesParseOrFailCleanly() throws IOException {
        List<byte[]> raw = new ArrayList<>();
        List<ZipBuilder> templates = new ArrayList<>();
        for (String name : FIXTURES) {
            raw.add(Files.readAllBytes(Fixtures.file(name)));
            templates.add(ZipBuilder.of(Fixtures.file(name)));
        }
        Fuzzer.Outcome o = Fuzzer.run(dir.resolve("fuzz.npz"), 0x5eed_0002L, 2500, Duration.ofSeconds(15), r -> {
            int k = r.nextInt(FIXTURES.size());
            return mutate(raw.get(k), templates.get(k), r);
        }, NpzReader::read);
        assertTrue(o.parsed() > 20 && o.refused() > 500, o.toString());
        assertEquals(0, o.unprintable(), "error messages must escape what they quote from the file");
    }

    /** Half the time the raw archive, half the time one array inside a rebuilt, well-formed archive. */
    private static byte[] mutate(byte[] zip, ZipBuilder template, Random r) {
        if (r.nextBoolean()) {
            return Mutations.mutate(zip, r);
        }
        List<String> names = new ArrayList<>(template.names());
        String name = names.get(r.nextInt(names.size()));
        return template.copy().replace(name, Mutations.mutate(template.entry(name), r, 8, 9)).build();
    }
}
