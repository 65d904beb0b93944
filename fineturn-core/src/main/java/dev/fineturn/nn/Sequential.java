package dev.fineturn.nn;

import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Children applied in order; unnamed children are named "0", "1", ... as in PyTorch. */
public class Sequential extends Module {
    public Sequential(Module... layers) {
        for (Module m : layers) {
            add(m);
        }
    }

    public final Sequential add(Module m) {
        registerModule(Integer.toString(children().size()), m);
        return this;
    }

    public final Sequential add(String name, Module m) {
        registerModule(name, m);
        return this;
    }

    public List<Module> layers() {
        return new ArrayList<>(children().values());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : children().values()) {
            y = m.forward(y);
        }
        return y;
    }
}
