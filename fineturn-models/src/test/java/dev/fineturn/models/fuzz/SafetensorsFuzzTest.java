package dev.fineturn.models.fuzz;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.Fuzzer;
import dev.fineturn.models.testing.Mutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core safetensors reader, fuzzed like the importers of this module. Its messages may quote
 * raw header text (U+FFFD from leniently decoded UTF-8, control characters in tensor names); that
 * is core's to change, so unlike the importers' fuzz tests this one does not assert printable
 * messages.
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedFilesParseOrFailCleanly() throws IOException {
        Path written = dir.resolve("written.safetensors");
        Safetensors.write(written, List.of(new NamedTensor("a", new int[]{2, 2}, new float[]{1, -2, 3, 4}),
                new NamedTensor("b.c", new int[]{}, new float[]{7})), Map.of("format", "pt"));
        List<byte[]> seeds = List.of(Files.readAllBytes(Fixtures.file("tiny.safetensors")), Files.readAllBytes(written));
        Fuzzer.Outcome o = Fuzzer.run(dir.resolve("fuzz.safetensors"), 0x5eed_0004L, 4000, Duration.ofSeconds(15),
                r -> Mutations.mutate(seeds.get(r.nextInt(seeds.size())), r, 0, 1, 2, 3, 4, 5, 6, 7),
                Safetensors::read);
        assertTrue(o.parsed() > 100 && o.refused() > 1000, o.toString());
    }
}
