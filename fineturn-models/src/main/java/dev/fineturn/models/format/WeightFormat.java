package dev.fineturn.models.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.io.WeightFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.ZipEntry;

/** The weight and model formats fineturn knows, recognised from a file's content, never its name. */
public enum WeightFormat {
    SAFETENSORS("safetensors file"),
    PYTORCH("PyTorch checkpoint (torch.save zip)"),
    PYTORCH_LEGACY("legacy PyTorch checkpoint (saved before torch 1.6)"),
    TORCHSCRIPT("TorchScript archive (torch.jit.save)"),
    NPY("NumPy .npy array"),
    NPZ("NumPy .npz archive"),
    KERAS_H5("Keras HDF5 file"),
    KERAS_V3("Keras 3 .keras archive"),
    ONNX("ONNX model"),
    TFJS("TensorFlow.js model.json");

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** An HDF5 superblock sits at 0 or, after a user block, at 512, 1024, 2048, ... */
    private static final long[] HDF5_OFFSETS = {0, 512, 1024, 2048, 4096, 8192};
    /** Pre-1.6 torch.save: PROTO 2, then LONG1 with the magic number 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_TORCH = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
            0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final long MAX_JSON = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String description;

    WeightFormat(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /**
     * The format of a file, or of a folder holding a TF.js {@code model.json}. An unrecognised
     * file is a {@link WeightFormatException} naming it and listing what fineturn reads.
     */
    public static WeightFormat detect(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path modelJson = path.resolve("model.json");
            if (Files.isRegularFile(modelJson) && Files.size(modelJson) <= MAX_JSON && isTfjs(modelJson)) {
                return TFJS;
            }
            throw new WeightFormatException(path, "a folder without a TF.js model.json");
        }
        long size = Files.size(path);
        byte[] head = head(path, 16);
        if (startsWith(head, NPY_MAGIC)) {
            return NPY;
        }
        if (hasHdf5Signature(path, size)) {
            return KERAS_H5;
        }
        if (startsWith(head, new byte[]{'P', 'K', 3, 4}) || startsWith(head, new byte[]{'P', 'K', 5, 6})) {
            return zipFormat(path);
        }
        if (startsWith(head, LEGACY_TORCH)) {
            return PYTORCH_LEGACY;
        }
        if (isSafetensors(head, size)) {
            return SAFETENSORS;
        }
        if (head.length > 0 && firstNonSpace(head) == '{' && size <= MAX_JSON && isTfjs(path)) {
            return TFJS;
        }
        if (OnnxSniffer.isOnnx(path)) {
            return ONNX;
        }
        String hint = head.length > 0 && (head[0] & 0xff) == 0x80 ? " (a Python pickle, but not a torch.save checkpoint)" : "";
        throw new WeightFormatException(path, "unknown weight format" + hint + ", starting with bytes "
                + HexFormat.ofDelimiter(" ").formatHex(head) + "; fineturn reads safetensors, PyTorch .pt/.pth, "
                + "NumPy .npy/.npz, Keras .h5/.keras, ONNX and TF.js model.json");
    }

    private static WeightFormat zipFormat(Path path) throws IOException {
        try (SafeZip zip = SafeZip.open(path)) {
            boolean pickle = false;
            boolean torchScript = false;
            boolean npy = false;
            boolean kerasConfig = false;
            boolean kerasWeights = false;
            for (ZipEntry e : zip.entries()) {
                String name = e.getName();
                pickle |= name.equals("data.pkl") || name.endsWith("/data.pkl");
                torchScript |= name.endsWith("/constants.pkl") || name.contains("/code/");
                npy |= name.endsWith(".npy");
                kerasConfig |= name.equals("config.json");
                kerasWeights |= name.equals("model.weights.h5");
            }
            if (pickle) {
                return torchScript ? TORCHSCRIPT : PYTORCH;
            }
            if (kerasConfig && kerasWeights) {
                return KERAS_V3;
            }
            if (npy) {
                return NPZ;
            }
        }
        throw new WeightFormatException(path, "a zip archive with neither a PyTorch data.pkl, NumPy .npy entries "
                + "nor a Keras model.weights.h5");
    }

    private static boolean isSafetensors(byte[] head, long size) {
        if (head.length < 9 || head[8] != '{') {
            return false;
        }
        long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerLength > 0 && headerLength <= size - 8;
    }

    private static boolean isTfjs(Path json) throws IOException {
        try (InputStream in = Files.newInputStream(json)) {
            JsonNode node = JSON.readTree(in);
            return node != null && node.isObject() && node.has("modelTopology");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static boolean hasHdf5Signature(Path path, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            for (long offset : HDF5_OFFSETS) {
                if (offset + HDF5_MAGIC.length > size) {
                    return false;
                }
                ByteBuffer b = ByteBuffer.allocate(HDF5_MAGIC.length);
                while (b.hasRemaining()) {
                    if (ch.read(b, offset + b.position()) < 0) {
                        return false;
                    }
                }
                if (Arrays.equals(b.array(), HDF5_MAGIC)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] head(Path path, int n) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(n);
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int firstNonSpace(byte[] head) {
        for (byte b : head) {
            if (!Character.isWhitespace(b)) {
                return b;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return description;
    }
}
