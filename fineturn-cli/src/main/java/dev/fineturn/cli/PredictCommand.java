package dev.fineturn.cli;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.format.WeightFiles;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.match.LoadReport;
import dev.fineturn.models.match.WeightMatcher;
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

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code fineturn predict}: runs a model on an .npy batch laid out as its source framework expects
 * (NCHW for PyTorch and ONNX, NHWC for Keras and TF.js) and writes exactly what the source model
 * outputs (logits, or probabilities where it ends in softmax) as float32 .npy.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Run a model on an .npy input batch.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Option(names = "--model", required = true, description = "A model, or a weights file with --arch.")
    String model;

    @Option(names = "--arch", description = "Architecture the weights file belongs to (resnet18, ...).")
    String arch;

    @Option(names = "--num-classes", defaultValue = "1000", description = "Classes of --arch's head.")
    int numClasses;

    @Option(names = "--input", required = true, description = "float32 .npy batch (NCHW or NHWC, see above).")
    Path input;

    @Option(names = "--output", required = true)
    Path output;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        Classifier net;
        GraphModel.Layout layout;
        OutputActivation act;
        if (arch != null) {
            net = Architectures.create(arch, numClasses);
            net.to(backend);
            LoadReport report = WeightMatcher.defaults().strict(0.99).load(net,
                    WeightFiles.readStateDict(Path.of(model)));
            if (!common.quiet) {
                System.err.println(report);
            }
            layout = GraphModel.Layout.NCHW;
            act = OutputActivation.NONE;
        } else {
            ModelFiles.Loaded m = preprocessing.apply(ModelFiles.open(model, backend));
            net = m.model();
            layout = m.layout();
            act = m.activation();
        }
        NamedTensor x = NpyReader.read(input);
        int[] s = x.shape();
        int channelAxis = layout == GraphModel.Layout.NHWC ? 3 : 1;
        if (s.length != 4 || s[channelAxis] != net.inputChannels()) {
            throw new IllegalArgumentException(input + ": input shape " + Shape.str(s) + " does not fit the model, "
                    + "which takes " + (layout == GraphModel.Layout.NHWC ? "[N, H, W, " + net.inputChannels() + "]"
                    : "[N, " + net.inputChannels() + ", H, W]") + " (" + layout + ", as its source framework)");
        }
        int n = s[0];
        int c = s[channelAxis];
        int h = layout == GraphModel.Layout.NHWC ? s[1] : s[2];
        int w = layout == GraphModel.Layout.NHWC ? s[2] : s[3];
        float[] nchw = layout == GraphModel.Layout.NHWC ? dev.fineturn.data.Layouts.nhwcToNchw(x.data(), n, c, h, w)
                : x.data();
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
        NpyWriter.write(output, new int[]{n, classes}, out);
        if (!common.quiet) {
            System.out.println("wrote " + output + " [" + n + ", " + classes + "] ("
                    + (act == OutputActivation.NONE ? "logits" : act.name().toLowerCase() + " probabilities") + ")");
        }
        return 0;
    }
}
