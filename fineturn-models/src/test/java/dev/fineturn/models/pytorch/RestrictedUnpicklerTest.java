package dev.fineturn.models.pytorch;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.PickleBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class RestrictedUnpicklerTest {
    private static Object load(byte[] pickle) throws WeightFormatException {
        return new RestrictedUnpickler(Path.of("test.pkl"), "data.pkl", pickle, new TorchObjects()).load();
    }

    @Test
    void readsTheScalarOpcodes() throws WeightFormatException {
        byte[] p = new PickleBuilder().proto(2).op(']').mark()
                .op('J').le(-5, 4)
                .op('M').le(65535, 2)
                .op(0x8a).raw(1, 0xfe)
                .op(0x8a).raw(6, 0, 0, 0, 0, 0, 1)
                .op(0x8a).raw(9, 0, 0, 0, 0, 0, 0, 0, 0, 1)
                .op('G').raw(0x3f, 0xec, 0, 0, 0, 0, 0, 0)
                .op(0x88).op(0x89).op('N')
                .op(0x8c).raw(3).bytes("hé".getBytes(StandardCharsets.UTF_8))
                .op('e').stop().build();
        List<?> values = (List<?>) load(p);
        assertEquals(-5L, values.get(0));
        assertEquals(65535L, values.get(1));
        assertEquals(-2L, values.get(2));
        assertEquals(1L << 40, values.get(3));
        assertEquals(BigInteger.ONE.shiftLeft(64), values.get(4));
        assertEquals(0.875, values.get(5));
        assertEquals(Boolean.TRUE, values.get(6));
        assertEquals(Boolean.FALSE, values.get(7));
        assertNull(values.get(8));
        assertEquals("hé", values.get(9));
    }

    @Test
    void memoEntriesAreSharedNotCopied() throws WeightFormatException {
        byte[] p = new PickleBuilder().proto(4).emptyDict().op(0x94)
                .str("a").op(']').op('q').raw(1).setItem()
                .str("b").op('h').raw(1).setItem().stop().build();
        Map<?, ?> d = (Map<?, ?>) load(p);
        assertSame(d.get("a"), d.get("b"));
    }

    @Test
    void readsTheRealCheckpointsNonTensorEntries() throws IOException {
        byte[] pickle;
        try (ZipFile zip = new ZipFile(Fixtures.file("nested.pth").toFile())) {
            pickle = zip.getInputStream(zip.getEntry("nested/data.pkl")).readAllBytes();
        }
        Map<?, ?> top = (Map<?, ?>) load(pickle);
        assertEquals(List.of("epoch", "best_acc", "args", "flags", "big", "optimizer", "model"),
                top.keySet().stream().toList());
        assertEquals(7L, top.get("epoch"));
        assertEquals(0.875, top.get("best_acc"));
        assertEquals(List.of("--lr", "0.1"), top.get("args"));
        assertEquals(new PyTuple(Arrays.asList(true, false, null)), top.get("flags"));
        assertEquals(1L << 40, top.get("big"));
        Map<?, ?> state = (Map<?, ?>) ((Map<?, ?>) top.get("optimizer")).get("state");
        TensorRef momentum = (TensorRef) ((Map<?, ?>) state.get(0L)).get("momentum_buffer");
        assertArrayEquals(new long[]{3}, momentum.size());
        TensorRef half = (TensorRef) ((Map<?, ?>) top.get("model")).get("module.half");
        assertEquals(dev.fineturn.models.format.ElementType.FLOAT16, half.storage().type());
        assertInstanceOf(TensorRef.class, ((Map<?, ?>) top.get("model")).get("module.param"), "_rebuild_parameter");
    }
}
