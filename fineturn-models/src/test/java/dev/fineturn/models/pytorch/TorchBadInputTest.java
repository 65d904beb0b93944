package dev.fineturn.models.pytorch;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Bytes;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.PickleBuilder;
import dev.fineturn.models.testing.ZipBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-built archives that torch.save would never write: each is refused with the file and the problem. */
class TorchBadInputTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** An archive with one pickle and one storage entry ("archive/data/0"). */
    private Path archive(byte[] pickle, byte[] storage) throws IOException {
        return write("bad.pth", new ZipBuilder().stored("archive/data.pkl", pickle).stored("archive/data/0", storage)
                .stored("archive/version", "3\n").build());
    }

    private static byte[] floatTensor(long numel, long offset, long[] size, long[] stride) {
        return PickleBuilder.stateDict("w", "FloatStorage", "0", numel, offset, size, stride);
    }

    private static void assertRefused(Path file, String... fragments) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TorchStateDictReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void aHandBuiltArchiveReadsWhenItIsConsistent() throws IOException {
        Path f = archive(floatTensor(4, 1, new long[]{3}, new long[]{1}), Bytes.floats(1, 2, 3, 4));
        List<NamedTensor> t = TorchStateDictReader.read(f);
        assertArrayEquals(new float[]{2, 3, 4}, t.getFirst().data());
    }

    @Test
    void aBigEndianArchiveIsReadInItsByteOrder() throws IOException {
        Path f = write("be.pth", new ZipBuilder()
                .stored("archive/data.pkl", floatTensor(2, 0, new long[]{2}, new long[]{1}))
                .stored("archive/byteorder", "big")
                .stored("archive/data/0", Bytes.floats(ByteOrder.BIG_ENDIAN, 1.5f, -8f)).build());
        assertArrayEquals(new float[]{1.5f, -8f}, TorchStateDictReader.read(f).getFirst().data());
        Path odd = write("odd.pth", new ZipBuilder()
                .stored("archive/data.pkl", floatTensor(2, 0, new long[]{2}, new long[]{1}))
                .stored("archive/byteorder", "middle")
                .stored("archive/data/0", Bytes.floats(1, 2)).build());
        assertRefused(odd, "zip entry 'archive/byteorder' names an unknown byte order 'middle'");
    }

    @Test
    void entriesThatCouldEscapeTheFolderAreRefused() throws IOException {
        byte[] pickle = floatTensor(1, 0, new long[]{1}, new long[]{1});
        Path dotDot = write("slip.pth", new ZipBuilder().stored("archive/data.pkl", pickle)
                .stored("archive/data/0", Bytes.floats(1)).stored("../../evil.sh", "rm -rf /").build());
        assertRefused(dotDot, "zip entry '../../evil.sh' has an unsafe path");
        Path absolute = write("abs.pth", new ZipBuilder().stored("archive/data.pkl", pickle)
                .stored("/etc/cron.d/evil", "x").build());
        assertRefused(absolute, "zip entry '/etc/cron.d/evil' has an unsafe path");
    }

    @Test
    void aStorageMustFillItsEntryExactly() throws IOException {
        assertRefused(archive(floatTensor(4, 0, new long[]{4}, new long[]{1}), Bytes.floats(1, 2)),
                "storage '0' declares 4 FLOAT32 elements (16 bytes) but its entry holds 8 bytes");
        assertRefused(write("nostorage.pth", new ZipBuilder()
                        .stored("archive/data.pkl", floatTensor(1, 0, new long[]{1}, new long[]{1})).build()),
                "storage '0' has no zip entry 'archive/data/0'");
    }

    @Test
    void viewsMustStayInsideTheirStorage() throws IOException {
        assertRefused(archive(floatTensor(4, 0, new long[]{3}, new long[]{2}), Bytes.floats(1, 2, 3, 4)),
                "tensor 'w' [3] (offset 0, strides [2]) reaches element 4 of storage '0', which holds 4");
        assertRefused(archive(floatTensor(4, 2, new long[]{2, 2}, new long[]{2, 1}), Bytes.floats(1, 2, 3, 4)),
                "reaches element 5");
        assertRefused(archive(floatTensor(1, 0, new long[]{1000}, new long[]{0}), Bytes.floats(1)),
                "has 1000 elements but its storage holds only 1 (an expanded view)");
    }

    @Test
    void absurdShapesAreRefusedBeforeAllocating() throws IOException {
        assertRefused(archive(floatTensor(4, 0, new long[]{1_000_000, 1_000_000}, new long[]{1_000_000, 1}),
                Bytes.floats(1, 2, 3, 4)), "has 1000000000000 elements, more than a Java array holds");
        assertRefused(archive(floatTensor(4, 0, new long[]{1L << 40, 1L << 40}, new long[]{1, 1}),
                Bytes.floats(1, 2, 3, 4)), "has a dimension of 1099511627776");
        assertRefused(archive(floatTensor(1L << 60, 0, new long[]{1}, new long[]{1}), Bytes.floats(1)),
                "declares 1152921504606846976 FLOAT32 elements");
    }

    @Test
    void onlyWhitelistedGlobalsAreAccepted() throws IOException {
        byte[] eval = new PickleBuilder().proto(2).global("builtins", "eval").str("__import__('os')")
                .op(0x85).reduce().stop().build();
        assertRefused(archive(eval, new byte[0]), "archive/data.pkl byte 2: refusing the Python global 'builtins.eval'");
        byte[] complex = new PickleBuilder().proto(2).emptyDict().str("w")
                .tensor("ComplexFloatStorage", "0", 1, 0, new long[]{1}, new long[]{1}).setItem().stop().build();
        assertRefused(archive(complex, new byte[8]), "refusing the Python global 'torch.ComplexFloatStorage'");
        byte[] stackGlobal = new PickleBuilder().proto(4).op(0x8c).raw(2).bytes("os".getBytes())
                .op(0x8c).raw(5).bytes("popen".getBytes()).op(0x93).stop().build();
        assertRefused(archive(stackGlobal, new byte[0]), "refusing the Python global 'os.popen'");
    }

    @Test
    void malformedPicklesNameTheOffsetAndTheProblem() throws IOException {
        assertRefused(archive(new PickleBuilder().proto(2).emptyDict().build(), new byte[0]),
                "archive/data.pkl byte 3: ends without a STOP opcode");
        assertRefused(archive(new PickleBuilder().proto(2).reduce().stop().build(), new byte[0]),
                "byte 2: stack underflow");
        assertRefused(archive(new PickleBuilder().proto(2).op('h').raw(7).stop().build(), new byte[0]),
                "byte 2: memo entry 7 was never stored");
        assertRefused(archive(new PickleBuilder().proto(2).op('X').le(0x7fffffffL, 4).stop().build(), new byte[0]),
                "string of 2147483647 bytes runs past the end");
        assertRefused(archive(new PickleBuilder().proto(2).op('i').stop().build(), new byte[0]),
                "byte 2: unsupported pickle opcode 0x69");
        assertRefused(archive(new PickleBuilder().proto(5).stop().build(), new byte[0]),
                "byte 0: pickle protocol 5 is not supported");
        assertRefused(archive(new PickleBuilder().proto(2).emptyDict().op(']').integer(1).setItem().stop().build(),
                new byte[0]), "unhashable dict key of type list");
        assertRefused(archive(new PickleBuilder().proto(2).mark().integer(1).op('u').stop().build(), new byte[0]),
                "SETITEMS with an odd number of items");
        assertRefused(archive(new PickleBuilder().proto(2).mark().str("k").integer(1).op('u').stop().build(),
                new byte[0]), "byte 11: stack underflow");
    }

    @Test
    void namesFromTheFileAreEscapedInMessages() throws IOException {
        Path f = write("ctl.pth", new ZipBuilder().stored("a\u0007b/data.pkl", new PickleBuilder().proto(2).op('i').build())
                .build());
        assertRefused(f, "a\\x07b/data.pkl byte 2: unsupported pickle opcode 0x69");
        byte[] escape = new PickleBuilder().proto(2).global("os\u001b[2J", "system").stop().build();
        assertRefused(archive(escape, new byte[0]), "refusing the Python global 'os\\x1b[2J.system'");
    }

    @Test
    void somethingOtherThanADictOfTensorsIsExplained() throws IOException {
        assertRefused(archive(new PickleBuilder().proto(2).integer(3).stop().build(), new byte[0]),
                "the checkpoint holds a int, not a dict of tensors");
        assertRefused(archive(new PickleBuilder().proto(2).emptyDict().str("epoch").integer(3).setItem().stop().build(),
                new byte[0]), "the checkpoint holds no tensors; top-level keys: [epoch]");
        byte[] badPid = new PickleBuilder().proto(2).mark().str("storage").str("x").tuple().op('Q').stop().build();
        assertRefused(archive(badPid, new byte[0]), "persistent id is a tuple, not a ('storage', class, key");
    }

    @Test
    void otherArchivesAndTruncatedFilesAreRefused() throws IOException {
        assertRefused(write("plain.zip", new ZipBuilder().stored("readme.txt", "hi").build()),
                "a zip archive without data.pkl");
        assertRefused(write("script.pt", new ZipBuilder().stored("m/data.pkl", new byte[]{(byte) 0x80, 2, '.'})
                .stored("m/constants.pkl", new byte[]{(byte) 0x80, 2, '.'}).build()), "a TorchScript archive");
        assertRefused(write("noise.pth", "this is not a zip file at all".getBytes()), "not a readable zip archive");
        byte[] tiny = Files.readAllBytes(Fixtures.file("tiny.pth"));
        assertRefused(write("half.pth", Arrays.copyOf(tiny, tiny.length / 2)), "not a readable zip archive");
        assertRefused(write("empty.pth", new byte[0]), "not a readable zip archive");
    }
}
