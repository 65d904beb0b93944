package dev.fineturn.models.fuzz;

import dev.fineturn.models.format.WeightFiles;
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

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detection and dispatch (including the ONNX and TF.js sniffers) over mutations of every fixture. */
class WeightFilesFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedFilesOfAnyFormatAreDetectedAndReadOrRefusedCleanly() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("tiny.pth", "proto4.pth", "legacy.pth", "arrays.npz", "compressed.npz", "f4.npy",
                "tiny.safetensors", "tiny.onnx", "model.json")) {
            seeds.add(Files.readAllBytes(Fixtures.file(name)));
        }
        Fuzzer.Outcome o = Fuzzer.run(dir.resolve("fuzz.weights"), 0x5eed_0005L, 2000, Duration.ofSeconds(15),
                r -> Mutations.mutate(seeds.get(r.nextInt(seeds.size())), r), WeightFiles::readStateDict);
        assertTrue(o.parsed() > 20 && o.refused() > 500, o.toString());
    }
}
