package dev.fineturn.examples;

import dev.fineturn.backend.Backends;
import dev.fineturn.models.bundle.ModelBundle;
import dev.fineturn.models.onnx.OnnxModel;
import dev.fineturn.models.pretrained.Pretrained;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;

import java.nio.file.Path;

/**
 * An application that reads only PyTorch or safetensors weights: it needs neither protobuf-java
 * (ONNX) nor jHDF (Keras HDF5), so it links into a runtime image without them. Arguments: an
 * architecture, a weights file, a class count and a folder to save the model in.
 */
public final class WeightsOnly {
    private WeightsOnly() {
    }

    public static void main(String[] args) throws Exception {
        Init.useBackend(Backends.defaultBackend());
        Classifier net = Pretrained.load(args[0], Path.of(args[1]), Integer.parseInt(args[2]));
        ModelBundle.Saved saved = ModelBundle.save(net, Path.of(args[3]));
        System.out.println(net.numClasses() + " classes; model folder saved; ONNX "
                + (saved.onnx() != null ? "written" : "not written: " + saved.onnxProblem()));
        try {
            OnnxModel.load(Path.of(args[1]));
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
