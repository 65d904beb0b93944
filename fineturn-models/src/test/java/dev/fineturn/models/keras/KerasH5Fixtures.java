package dev.fineturn.models.keras;

import dev.fineturn.data.Layouts;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The Keras .h5 fixtures that src/test/python/make_keras_h5_fixture.py writes. */
final class KerasH5Fixtures {
    private KerasH5Fixtures() {
    }

    static Path path(String name) {
        URL url = KerasH5Fixtures.class.getResource("/fixtures/keras_h5/" + name);
        if (url == null) {
            throw new UncheckedIOException(new IOException("missing fixture " + name));
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The small CNN's NHWC input [2, 12, 11, 3] as an NCHW tensor. */
    static Tensor smallInput() throws IOException {
        TestNpy.Array x = TestNpy.read("/fixtures/keras_h5/small_cnn_x.npy");
        int[] s = x.shape();
        return Tensor.of(ReferenceBackend.get(), Layouts.nhwcToNchw(x.data(), s[0], s[3], s[1], s[2]), s[0], s[3], s[1],
                s[2]);
    }
}
