package dev.fineturn.optim;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW. */
public final class AdamW extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Map<Tensor, State> states = new IdentityHashMap<>();

    private static final class State {
        Tensor m;
        Tensor v;
        long step;
    }

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(groups);
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0) {
            throw new IllegalArgumentException("adamw: betas (" + beta1 + ", " + beta2 + ") must be in [0, 1) and eps "
                    + eps + " positive");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    public AdamW(List<ParamGroup> groups) {
        this(groups, 0.9, 0.999, 1e-8);
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad) {
        State s = states.computeIfAbsent(p, k -> {
            State n = new State();
            n.m = Tensor.zeros(p.backend(), p.shape());
            n.v = Tensor.zeros(p.backend(), p.shape());
            return n;
        });
        s.step++;
        p.backend().adamwStep(AdamWParams.atStep((float) g.lr(), (float) beta1, (float) beta2, (float) eps,
                (float) g.weightDecay(), s.step), p.storage(), grad.storage(), s.m.storage(), s.v.storage(), p.numel());
    }

    @Override
    protected Map<String, Tensor> stateOf(Tensor param) {
        State s = states.get(param);
        if (s == null) {
            return Map.of();
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("exp_avg", s.m);
        out.put("exp_avg_sq", s.v);
        out.put("step", Tensor.scalar(param.backend(), s.step));
        return out;
    }

    @Override
    protected void restoreStateOf(Tensor param, Map<String, Tensor> state) {
        State s = new State();
        s.m = Tensor.zeros(param.backend(), param.shape()).copyFrom(state.get("exp_avg"));
        s.v = Tensor.zeros(param.backend(), param.shape()).copyFrom(state.get("exp_avg_sq"));
        s.step = (long) state.get("step").item();
        states.put(param, s);
    }
}
