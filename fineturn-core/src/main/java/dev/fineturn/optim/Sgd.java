package dev.fineturn.optim;

import dev.fineturn.spi.SgdParams;
import dev.fineturn.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with PyTorch's semantics: weight decay added to the gradient,
 * momentum buffer initialised to the first gradient, dampening, optional Nesterov.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final Map<Tensor, Tensor> buffers = new IdentityHashMap<>();

    public Sgd(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
        super(groups);
        if (momentum < 0 || dampening < 0 || nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("sgd: momentum " + momentum + ", dampening " + dampening
                    + (nesterov ? " (Nesterov needs momentum > 0 and dampening 0)" : ""));
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad) {
        Tensor buf = buffers.get(p);
        boolean first = buf == null;
        if (first && momentum != 0) {
            buf = Tensor.zeros(p.backend(), p.shape());
            buffers.put(p, buf);
        }
        p.backend().sgdStep(new SgdParams((float) g.lr(), (float) momentum, (float) dampening,
                (float) g.weightDecay(), nesterov, first), p.storage(), grad.storage(),
                buf == null ? null : buf.storage(), p.numel());
    }

    @Override
    protected Map<String, Tensor> stateOf(Tensor param) {
        Tensor b = buffers.get(param);
        return b == null ? Map.of() : Map.of("momentum_buffer", b);
    }

    @Override
    protected void restoreStateOf(Tensor param, Map<String, Tensor> state) {
        Tensor b = state.get("momentum_buffer");
        if (b != null) {
            buffers.put(param, Tensor.zeros(param.backend(), param.shape()).copyFrom(b));
        }
    }
}
