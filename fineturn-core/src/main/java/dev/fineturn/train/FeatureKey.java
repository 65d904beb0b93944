package dev.fineturn.train;

import dev.fineturn.data.Sample;
import dev.fineturn.nn.Classifier;
import dev.fineturn.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The feature cache's key, built from parts that can be computed apart: a digest of the backbone's
 * weights, one digest per sample and the preprocessing. A cluster hashes its samples where they are
 * decoded and combines the digests in sample order, so it arrives at the key a local run computes.
 */
public final class FeatureKey {
    private FeatureKey() {
    }

    /** SHA-256 of the backbone's parameters and buffers by name, the head's left out. */
    public static byte[] backbone(Classifier model) {
        MessageDigest md = sha256();
        Set<Tensor> head = Collections.newSetFromMap(new IdentityHashMap<>());
        head.addAll(model.headBlock().parameters());
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (head.contains(e.getValue())) {
                continue;
            }
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            update(md, e.getValue().toArray());
        }
        return md.digest();
    }

    /** SHA-256 of one sample's pixels, label and shape. */
    public static byte[] sample(Sample s) {
        MessageDigest md = sha256();
        update(md, s.pixels());
        md.update(ByteBuffer.allocate(16).putInt(s.label()).putInt(s.channels()).putInt(s.height())
                .putInt(s.width()).array());
        return md.digest();
    }

    /** The key: 32 hex digits over the backbone digest, the data's digests in order and the input conventions. */
    public static String combine(byte[] backbone, int size, int numClasses, Iterable<byte[]> samples,
                                 String transform, String preprocessing) {
        MessageDigest md = sha256();
        md.update(backbone);
        md.update(ByteBuffer.allocate(8).putInt(size).putInt(numClasses).array());
        int n = 0;
        for (byte[] s : samples) {
            md.update(s);
            n++;
        }
        if (n != size) {
            throw new IllegalArgumentException("feature key: " + n + " sample digests for " + size + " samples");
        }
        md.update(transform.getBytes(StandardCharsets.UTF_8));
        md.update(preprocessing.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /** Hex of a backbone digest, as recorded next to cached features. */
    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        b.asFloatBuffer().put(v);
        md.update(b.array());
    }
}
