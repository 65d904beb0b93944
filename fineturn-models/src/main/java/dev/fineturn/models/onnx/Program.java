package dev.fineturn.models.onnx;

import dev.fineturn.models.graph.MultiInput;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Imported graph nodes in topological order, runnable with any number of inputs and outputs. */
record Program(List<Step> steps) {
    /** One node: its (sanitised, unique) name, which is also its output's name, and its inputs. */
    record Step(String name, Layer module, List<String> inputs) {
    }

    /** Computes {@code targets} from the named inputs, running only the steps they need. */
    Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> targets) {
        Map<String, Step> byName = new HashMap<>();
        for (Step s : steps) {
            byName.put(s.name(), s);
        }
        Set<String> needed = new HashSet<>();
        List<String> stack = new ArrayList<>(targets);
        while (!stack.isEmpty()) {
            String n = stack.removeLast();
            Step s = byName.get(n);
            if (needed.add(n) && s != null) {
                stack.addAll(s.inputs());
            }
        }
        Map<String, Tensor> values = new HashMap<>(inputs);
        for (Step s : steps) {
            if (!needed.contains(s.name())) {
                continue;
            }
            List<Tensor> ins = new ArrayList<>();
            for (String in : s.inputs()) {
                Tensor t = values.get(in);
                if (t == null) {
                    throw new IllegalArgumentException("onnx: no value for input '" + in + "' of node '" + s.name() + "'");
                }
                ins.add(t);
            }
            values.put(s.name(), s.module() instanceof MultiInput m ? m.forward(ins) : s.module().forward(ins.get(0)));
        }
        Map<String, Tensor> out = new HashMap<>();
        for (String t : targets) {
            out.put(t, values.get(t));
        }
        return out;
    }
}
