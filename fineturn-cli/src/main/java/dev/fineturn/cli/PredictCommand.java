package dev.fineturn.cli;

import dev.fineturn.data.ImageDecoder;
import dev.fineturn.data.Resize;
import dev.fineturn.data.Sample;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.numpy.NpyReader;
import dev.fineturn.models.numpy.NpyWriter;
import dev.fineturn.nn.Classifier;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code fineturn predict}: runs a model on image files (PNG/JPEG, a file or a folder searched
 * recursively), resized to the model's input size and preprocessed as the model records, and
 * prints each image's top class; or on an .npy batch laid out as its source framework expects
 * (NCHW for PyTorch and ONNX, NHWC for Keras and TF.js, pixels in [0, 1]). With {@code --output}
 * it writes what the source model outputs (logits, or probabilities where it ends in softmax) as
 * float32 .npy.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Run a model on images (a file or a folder) or on an .npy input batch.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR",
            description = "A PNG/JPEG image, a folder of them, or a float32 .npy batch (NCHW or NHWC, see above).")
    Path input;

    @Option(names = "--output", paramLabel = "FILE.npy",
            description = "Write the outputs here (needed for .npy input).")
    Path output;

    @Option(names = "--size", description = "Side length images are resized to. Default: the size the model was "
            + "fine-tuned at, else 224.")
    Integer size;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    private static final int DEFAULT_SIZE = 224;
    private int recordedSize = DEFAULT_SIZE;
    private final List<String> recordedClasses = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        Classifier net;
        GraphModel.Layout layout;
        OutputActivation act;
        ModelFiles.Loaded m = preprocessing.apply(modelOption.open(backend, common.quiet, common.verbose));
        net = m.model();
        layout = m.layout();
        act = m.activation();
        recordedSize = m.recipe().path("inputSize").asInt(DEFAULT_SIZE);
        m.recipe().path("classes").forEach(v -> recordedClasses.add(v.asText()));
        List<Path> images = imageFiles(input);
        List<String> classNames = new ArrayList<>();
        int n;
        int c;
        int h;
        int w;
        float[] nchw;
        if (images != null) {
            int side = size != null ? size : recordedSize;
            c = net.inputChannels();
            h = side;
            w = side;
            n = images.size();
            nchw = readImages(images, c, side);
            recordedClasses.forEach(classNames::add);
            act = act == OutputActivation.NONE ? OutputActivation.SOFTMAX : act;
        } else {
            if (output == null) {
                throw new IllegalArgumentException("--output is needed for an .npy input");
            }
            NamedTensor x = NpyReader.read(input);
            int[] s = x.shape();
            int channelAxis = layout == GraphModel.Layout.NHWC ? 3 : 1;
            if (s.length != 4 || s[channelAxis] != net.inputChannels()) {
                throw new IllegalArgumentException(input + ": input shape " + Shape.str(s) + " does not fit the model, "
                        + "which takes " + (layout == GraphModel.Layout.NHWC ? "[N, H, W, " + net.inputChannels() + "]"
                        : "[N, " + net.inputChannels() + ", H, W]") + " (" + layout + ", as its source framework)");
            }
            n = s[0];
            c = s[channelAxis];
            h = layout == GraphModel.Layout.NHWC ? s[1] : s[2];
            w = layout == GraphModel.Layout.NHWC ? s[2] : s[3];
            nchw = layout == GraphModel.Layout.NHWC ? dev.fineturn.data.Layouts.nhwcToNchw(x.data(), n, c, h, w)
                    : x.data();
        }
        int per = c * h * w;
        float[] out = null;
        int classes = 0;
        net.eval();
        try (var g = GradMode.noGrad()) {
            for (int start = 0; start < n; start += batchSize) {
                int b = Math.min(batchSize, n - start);
                float[] chunk = java.util.Arrays.copyOfRange(nchw, start * per, (start + b) * per);
                float[] y = act.apply(net.forward(Tensor.of(backend, chunk, b, c, h, w))).toArray();
                if (out == null) {
                    classes = y.length / b;
                    out = new float[n * classes];
                }
                System.arraycopy(y, 0, out, start * classes, y.length);
            }
        }
        if (images != null) {
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (out[i * classes + k] > out[i * classes + best]) {
                        best = k;
                    }
                }
                String name = best < classNames.size() ? classNames.get(best) : Integer.toString(best);
                System.out.printf("%s\t%s\t%.4f%n", images.get(i), name, out[i * classes + best]);
            }
        }
        if (output != null) {
            NpyWriter.write(output, new int[]{n, classes}, out);
            if (!common.quiet) {
                System.out.println("wrote " + output + " [" + n + ", " + classes + "] ("
                        + (act == OutputActivation.NONE ? "logits" : act.name().toLowerCase() + " probabilities")
                        + ")");
            }
        }
        return 0;
    }

    /** The images named by {@code input}, sorted; null when it is an .npy file. */
    private static List<Path> imageFiles(Path input) throws IOException {
        if (!Files.exists(input)) {
            throw new NoSuchFileException(input.toString(), null, "no such file or folder");
        }
        if (Files.isDirectory(input)) {
            try (Stream<Path> walk = Files.walk(input)) {
                List<Path> found = walk.filter(Files::isRegularFile).filter(PredictCommand::isImage).sorted().toList();
                if (found.isEmpty()) {
                    throw new IllegalArgumentException(input + ": the folder holds no .png, .jpg or .jpeg files");
                }
                return found;
            }
        }
        return isImage(input) ? List.of(input) : null;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    /** Decodes, resizes to side x side and, for one-channel models, averages the colours. */
    private static float[] readImages(List<Path> files, int channels, int side) throws IOException {
        int per = channels * side * side;
        float[] out = new float[files.size() * per];
        Resize resize = new Resize(side, side);
        for (int i = 0; i < files.size(); i++) {
            Sample s = resize.apply(ImageDecoder.decode(files.get(i), 0), null);
            float[] px = s.pixels();
            if (channels == 1) {
                int plane = side * side;
                for (int p = 0; p < plane; p++) {
                    out[i * per + p] = (px[p] + px[plane + p] + px[2 * plane + p]) / 3f;
                }
            } else {
                System.arraycopy(px, 0, out, i * per, per);
            }
        }
        return out;
    }
}
