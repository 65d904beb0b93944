package dev.fineturn.models.format;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.numpy.NpzReader;
import dev.fineturn.models.pytorch.TorchStateDictReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Reads a state dict (named tensors) from whichever flat weight format a file turns out to be. */
public final class WeightFiles {
    private WeightFiles() {
    }

    /**
     * The named tensors of a safetensors, PyTorch {@code .pt}/{@code .pth} or NumPy {@code .npz}
     * file, detected from its content. Formats that carry a model graph or a single array are a
     * {@link WeightFormatException} saying what the file is.
     */
    public static List<NamedTensor> readStateDict(Path file) throws IOException {
        WeightFormat format = WeightFormat.detect(file);
        return switch (format) {
            case SAFETENSORS -> Safetensors.read(file).tensors();
            case PYTORCH, PYTORCH_LEGACY, TORCHSCRIPT -> TorchStateDictReader.read(file);
            case NPZ -> NpzReader.read(file);
            default -> throw new WeightFormatException(file, format.description() + " is not a state dict; "
                    + "readStateDict reads safetensors, PyTorch .pt/.pth and NumPy .npz files");
        };
    }
}
