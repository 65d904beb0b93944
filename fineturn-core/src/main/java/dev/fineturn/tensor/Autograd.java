package dev.fineturn.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Define-by-run reverse-mode differentiation. */
public final class Autograd {
    private static final AtomicLong RECORDED = new AtomicLong();
    /** Storages allocated on this thread while it runs a backward pass; null outside one. */
    private static final ThreadLocal<Set<dev.fineturn.spi.Storage>> ALLOCATED_IN_BACKWARD = new ThreadLocal<>();

    private Autograd() {
    }

    /** True when recording is on and some input requires a gradient. */
    public static boolean isRecording(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records {@code out} as produced by {@code op} from {@code inputs}, if any input requires a
     * gradient. Callers should create the backward closure only when {@link #isRecording} is true
     * so that nothing is kept alive for a frozen prefix.
     */
    public static void record(Tensor out, String op, BackwardFn backward, Tensor... inputs) {
        if (!isRecording(inputs)) {
            return;
        }
        out.setGradFn(new Node(op, inputs.clone(), backward));
        RECORDED.incrementAndGet();
    }

    /** Total graph nodes recorded in this JVM; lets tests show that frozen code records none. */
    public static long recordedNodes() {
        return RECORDED.get();
    }

    /** Called for each storage {@link Tensor#zeros} allocates: the backward pass may adopt it as a gradient. */
    static void noteAllocated(dev.fineturn.spi.Storage s) {
        Set<dev.fineturn.spi.Storage> allocated = ALLOCATED_IN_BACKWARD.get();
        if (allocated != null) {
            allocated.add(s);
        }
    }

    static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        Set<dev.fineturn.spi.Storage> outer = ALLOCATED_IN_BACKWARD.get();
        ALLOCATED_IN_BACKWARD.set(Collections.newSetFromMap(new IdentityHashMap<>()));
        try {
            backwardPass(root, seed, retainGraph);
        } finally {
            ALLOCATED_IN_BACKWARD.set(outer);
        }
    }

    /**
     * A leaf adopts its first gradient instead of copying it (a copy of every weight gradient per step)
     * when the gradient is dense, its storage was allocated during this pass (so it is no forward
     * tensor or seed a closure handed on) and no other gradient of this pass shares that storage (an
     * add's backward hands the same tensor to both inputs; a view's hands on its upstream's storage).
     * By the same rule a gradient summed from two uses of a tensor is added into the first one.
     */
    private static void backwardPass(Tensor root, Tensor seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor " + Shape.str(root.shape())
                    + " does not require grad and has no graph (was it computed under noGrad or from frozen inputs?)");
        }
        if (seed == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: gradient can be implied only for a single-element "
                        + "output, got shape " + Shape.str(root.shape()) + "; pass a seed gradient");
            }
            seed = Tensor.full(root.backend(), 1f, root.shape());
        } else if (!java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: seed gradient shape " + Shape.str(seed.shape())
                    + " does not match output shape " + Shape.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        Set<dev.fineturn.spi.Storage> allocated = ALLOCATED_IN_BACKWARD.get();
        Map<dev.fineturn.spi.Storage, Integer> uses = new IdentityHashMap<>();
        uses.put(seed.storage(), 2);
        try (var scope = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn();
                if (node == null) {
                    boolean own = g.isDense() && allocated.contains(g.storage())
                            && uses.getOrDefault(g.storage(), 2) == 1;
                    t.accumulateGrad(g, own);
                    continue;
                }
                if (node.backward == null) {
                    throw new IllegalStateException("backward: the graph through '" + node.op()
                            + "' was already freed by an earlier backward(); use backward(seed, true) to keep it");
                }
                Tensor[] inGrads = node.backward.apply(g);
                for (int k = 0; k < node.inputs.length; k++) {
                    Tensor in = node.inputs[k];
                    Tensor gi = inGrads[k];
                    if (in == null || gi == null || !in.requiresGrad()) {
                        continue;
                    }
                    if (!java.util.Arrays.equals(gi.shape(), in.shape())) {
                        throw new IllegalStateException("backward of '" + node.op() + "': gradient shape "
                                + Shape.str(gi.shape()) + " does not match input " + k + " shape "
                                + Shape.str(in.shape()));
                    }
                    uses.merge(gi.storage(), 1, Integer::sum);
                    grads.merge(in, gi, (sum, more) -> {
                        if (sum.isDense() && allocated.contains(sum.storage()) && sum.storage() != more.storage()
                                && uses.getOrDefault(sum.storage(), 2) == 1) {
                            // Nothing else holds this pass's own sum: add into it (a residual block's input).
                            return dev.fineturn.ops.Arithmetic.addInPlace(sum, more);
                        }
                        Tensor total = sum.add(more);
                        uses.merge(total.storage(), 1, Integer::sum);
                        return total;
                    });
                }
                if (!retainGraph) {
                    node.release();
                    order.set(i, null);
                }
            }
        }
    }

    /** Tensors reachable from root through recorded nodes, each after all of its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            if (node != null && next < node.inputs.length) {
                frame[1] = next + 1;
                Tensor in = node.inputs[next];
                if (in != null && in.requiresGrad() && visited.add(in)) {
                    stack.push(new Object[]{in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
