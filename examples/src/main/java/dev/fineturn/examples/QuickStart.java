package dev.fineturn.examples;

import dev.fineturn.backend.Backends;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.pretrained.Pretrained;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.train.FitResult;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;

public class QuickStart {
    public static void main(String[] args) throws IOException {
        Init.useBackend(Backends.defaultBackend());
        Dataset photos = ImageFolderDataset.open(Path.of(args[0]), 96, 96);  // one subfolder per class
        GraphModel mobilenet = Pretrained.mobilenetV2();                     // bundled, pretrained
        Classifier model = mobilenet.truncate("block_13_expand_relu", photos.numClasses());
        Strategy strategy = Strategy.partial(98);                            // first 98 layers frozen
        TrainConfig cfg = TrainConfig.defaultsFor(strategy).withEpochs(5);
        FitResult result = new Trainer(cfg).fit(model, strategy, photos, null);  // 20% held out
        System.out.println(result);
    }
}
