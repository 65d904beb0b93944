package dev.fineturn.nn;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A layer or a network: named parameters, named buffers and named children, in registration order.
 * State-dict names are dotted paths exactly as in PyTorch ({@code layer1.0.conv1.weight}).
 *
 * <p>Freezing is separate from the train/eval mode: a frozen parameter never requires a gradient,
 * and a frozen module behaves as in evaluation mode (batch norm uses and keeps its running
 * statistics, dropout is off) even while the model is training. {@link #train(boolean)} never
 * unfreezes anything.
 */
public abstract class Layer {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private final Map<String, Boolean> frozenParameters = new LinkedHashMap<>();
    private boolean training = true;
    private boolean frozen;

    public abstract Tensor forward(Tensor input);

    // ---- registration ------------------------------------------------------------------------

    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        parameters.put(name, value.requiresGrad(true));
        frozenParameters.put(name, false);
        return value;
    }

    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    protected <M extends Layer> M registerModule(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member name '" + name + "' must be non-empty without dots");
        }
    }

    /** Replaces a registered parameter's tensor (same name), keeping its frozen state. */
    protected void replaceParameter(String name, Tensor value) {
        if (!parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        parameters.put(name, value.requiresGrad(!frozenParameters.get(name)));
    }

    protected void replaceBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        }
        buffers.put(name, value);
    }

    /** Replaces a direct child, e.g. a classifier head. */
    public void replaceChild(String name, Layer child) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "'; children: "
                    + children.keySet());
        }
        children.put(name, child);
        child.train(training);
    }

    protected Tensor parameter(String name) {
        return parameters.get(name);
    }

    protected Tensor buffer(String name) {
        return buffers.get(name);
    }

    // ---- tree access -------------------------------------------------------------------------

    public Map<String, Layer> children() {
        return Collections.unmodifiableMap(children);
    }

    /** The module at a dotted path ("" is this module). */
    public Layer module(String path) {
        if (path.isEmpty()) {
            return this;
        }
        Layer m = this;
        for (String part : path.split("\\.")) {
            Layer next = m.children.get(part);
            if (next == null) {
                throw new IllegalArgumentException("no module '" + path + "' in " + getClass().getSimpleName()
                        + " (at '" + part + "', children: " + m.children.keySet() + ")");
            }
            m = next;
        }
        return m;
    }

    /** Every module with its dotted path, depth first, parents before children ("" is this one). */
    public Map<String, Layer> namedModules() {
        Map<String, Layer> out = new LinkedHashMap<>();
        visitModules("", (p, m) -> out.put(p, m));
        return out;
    }

    private void visitModules(String prefix, BiConsumer<String, Layer> f) {
        f.accept(prefix, this);
        children.forEach((n, c) -> c.visitModules(prefix.isEmpty() ? n : prefix + "." + n, f));
    }

    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules().forEach((p, m) -> m.parameters.forEach((n, t) -> out.put(p.isEmpty() ? n : p + "." + n, t)));
        return out;
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules().forEach((p, m) -> m.buffers.forEach((n, t) -> out.put(p.isEmpty() ? n : p + "." + n, t)));
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters that are not frozen. */
    public List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : namedParameters().values()) {
            if (t.requiresGrad()) {
                out.add(t);
            }
        }
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.numel();
        }
        return n;
    }

    /** Each module's parameters then its buffers, by dotted name, in PyTorch's state_dict() order. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules().forEach((p, m) -> {
            String prefix = p.isEmpty() ? "" : p + ".";
            m.parameters.forEach((n, t) -> out.put(prefix + n, t));
            m.buffers.forEach((n, t) -> out.put(prefix + n, t));
        });
        return out;
    }

    /**
     * Copies values into this module's parameters and buffers by name. Returns what matched, what
     * is missing and what was unexpected or of the wrong shape; with {@code strict} any of those
     * is an error.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + " " + Shape.str(src.shape()) + " vs " + Shape.str(e.getValue().shape()));
            } else {
                loaded.add(e.getKey());
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        LoadResult r = new LoadResult(loaded, missing, unexpected, mismatched);
        if (strict && !r.isComplete()) {
            throw new IllegalArgumentException("loadStateDict (strict): " + r);
        }
        for (String k : loaded) {
            own.get(k).copyFrom(state.get(k));
        }
        return r;
    }

    /** What {@link #loadStateDict} matched. */
    public record LoadResult(List<String> loaded, List<String> missing, List<String> unexpected,
                             List<String> shapeMismatched) {
        public boolean isComplete() {
            return missing.isEmpty() && unexpected.isEmpty() && shapeMismatched.isEmpty();
        }

        @Override
        public String toString() {
            return loaded.size() + " loaded, missing " + missing + ", unexpected " + unexpected + ", shape mismatched "
                    + shapeMismatched;
        }
    }

    // ---- modes and freezing ------------------------------------------------------------------

    /** Sets train (true) or eval (false) mode on this module and all below it. */
    public Layer train(boolean on) {
        for (Layer m : namedModules().values()) {
            m.training = on;
        }
        return this;
    }

    public Layer eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** True when one of this module's own parameters (not its children's) requires a gradient. */
    final boolean hasTrainableOwnParameter() {
        for (Tensor t : parameters.values()) {
            if (t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** True when this module should use evaluation behaviour: eval mode, or frozen. */
    protected boolean behavesAsEval() {
        return !training || frozen;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Freezes this module and everything below it. */
    public Layer freeze() {
        setFrozen(true);
        return this;
    }

    public Layer unfreeze() {
        setFrozen(false);
        return this;
    }

    private void setFrozen(boolean value) {
        for (Layer m : namedModules().values()) {
            m.frozen = value;
            for (String name : m.parameters.keySet()) {
                m.frozenParameters.put(name, value);
                m.parameters.get(name).requiresGrad(!value);
            }
        }
    }

    /** Freezes (or unfreezes) one parameter by dotted name. */
    public void setParameterFrozen(String dottedName, boolean value) {
        int dot = dottedName.lastIndexOf('.');
        Layer owner = dot < 0 ? this : module(dottedName.substring(0, dot));
        String leaf = dot < 0 ? dottedName : dottedName.substring(dot + 1);
        Tensor t = owner.parameters.get(leaf);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + dottedName + "'; parameters: "
                    + namedParameters().keySet());
        }
        owner.frozenParameters.put(leaf, value);
        t.requiresGrad(!value);
    }

    /** Freezes the first {@code k} direct children (the model's blocks, in order); unfreezes the rest. */
    public Layer freezeFirst(int k) {
        List<Layer> blocks = new ArrayList<>(children.values());
        if (k < 0 || k > blocks.size()) {
            throw new IllegalArgumentException("freezeFirst(" + k + "): this " + getClass().getSimpleName() + " has "
                    + blocks.size() + " blocks " + children.keySet());
        }
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).setFrozen(i < k);
        }
        return this;
    }

    /**
     * Freezes every module up to and including the one at {@code path} in depth-first order, and
     * unfreezes those after it.
     */
    public Layer freezeUpTo(String path) {
        Map<String, Layer> all = namedModules();
        if (path.isEmpty() || !all.containsKey(path)) {
            throw new IllegalArgumentException("freezeUpTo: no module '" + path + "'; modules: "
                    + all.keySet().stream().filter(s -> !s.isEmpty()).toList());
        }
        unfreeze();
        for (String p : all.keySet()) {
            if (p.isEmpty() || path.startsWith(p + ".")) {
                continue; // ancestors of the target stay partly trainable
            }
            all.get(p).setFrozen(true);
            if (p.equals(path)) {
                break;
            }
        }
        return this;
    }

    /** Moves every parameter and buffer to another backend. */
    public Layer to(Backend backend) {
        for (Layer m : namedModules().values()) {
            for (Map.Entry<String, Tensor> e : m.parameters.entrySet()) {
                Tensor moved = e.getValue().to(backend);
                moved.requiresGrad(!m.frozenParameters.get(e.getKey()));
                e.setValue(moved);
            }
            for (Map.Entry<String, Tensor> e : m.buffers.entrySet()) {
                e.setValue(e.getValue().to(backend));
            }
        }
        return this;
    }

    /** Redraws this module's own parameters and resets its buffers, as when freshly constructed. */
    protected void resetOwnParameters() {
    }

    /** Re-initialises every parameter and buffer of the tree (training from scratch). */
    public Layer resetParameters() {
        for (Layer m : namedModules().values()) {
            m.resetOwnParameters();
        }
        return this;
    }

    /** Clears the accumulated gradients of every parameter. */
    public void zeroGrad() {
        for (Tensor t : namedParameters().values()) {
            t.zeroGrad();
        }
    }

    /** Dropout-style counters that must be saved for exact resume, by dotted module path. */
    public Map<String, Long> randomState() {
        Map<String, Long> out = new LinkedHashMap<>();
        namedModules().forEach((p, m) -> {
            if (m instanceof Stochastic s) {
                out.put(p, s.counter());
            }
        });
        return out;
    }

    public void restoreRandomState(Map<String, Long> state) {
        namedModules().forEach((p, m) -> {
            if (m instanceof Stochastic s && state.containsKey(p)) {
                s.setCounter(state.get(p));
            }
        });
    }

    /** A module that draws random numbers from a counter that checkpoints save. */
    public interface Stochastic {
        long counter();

        void setCounter(long value);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName();
    }

    /** A multi-line description of the module tree with parameter shapes. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        namedModules().forEach((p, m) -> {
            int depth = p.isEmpty() ? 0 : p.split("\\.").length;
            b.append("  ".repeat(depth)).append(p.isEmpty() ? "(root)" : p).append(": ").append(m)
                    .append(m.frozen ? " [frozen]" : "").append('\n');
        });
        return b.toString();
    }
}
