package dev.fineturn.models.format;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightFilesTest {
    @Test
    void theSameStateDictReadsAlikeFromPthAndSafetensors() throws IOException {
        List<NamedTensor> pth = WeightFiles.readStateDict(Fixtures.file("tiny.pth"));
        List<NamedTensor> st = WeightFiles.readStateDict(Fixtures.file("tiny.safetensors"));
        assertEquals(8, pth.size());
        assertEquals(pth.stream().map(NamedTensor::name).toList(), st.stream().map(NamedTensor::name).toList());
        for (int i = 0; i < pth.size(); i++) {
            assertArrayEquals(pth.get(i).shape(), st.get(i).shape(), pth.get(i).name());
            assertArrayEquals(pth.get(i).data(), st.get(i).data(), pth.get(i).name());
        }
    }

    @Test
    void readsNpzAndNestedCheckpoints() throws IOException {
        assertEquals(List.of("conv.weight", "conv.bias", "steps"),
                WeightFiles.readStateDict(Fixtures.file("arrays.npz")).stream().map(NamedTensor::name).toList());
        assertEquals(11, WeightFiles.readStateDict(Fixtures.file("nested.pth")).size());
    }

    @Test
    void formatsWithoutAStateDictSayWhatTheyAre() {
        Path onnx = Fixtures.file("tiny.onnx");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> WeightFiles.readStateDict(onnx));
        assertEquals(onnx + ": ONNX model is not a state dict; readStateDict reads safetensors, PyTorch .pt/.pth and "
                + "NumPy .npz files", e.getMessage());
        Path legacy = Fixtures.file("legacy.pth");
        WeightFormatException l = assertThrows(WeightFormatException.class, () -> WeightFiles.readStateDict(legacy));
        assertTrue(l.getMessage().contains("legacy PyTorch format"), l.getMessage());
        Path npy = Fixtures.file("f4.npy");
        WeightFormatException n = assertThrows(WeightFormatException.class, () -> WeightFiles.readStateDict(npy));
        assertTrue(n.getMessage().contains("NumPy .npy array is not a state dict"), n.getMessage());
    }
}
