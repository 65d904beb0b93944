package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.graph.Unary;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Layer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a trainable {@link GraphModel} of an imported program whose output is a fully connected
 * layer, optionally followed by Softmax or Sigmoid (which becomes the model's output activation).
 */
final class ClassifierBuilder {
    private ClassifierBuilder() {
    }

    static GraphModel build(Path source, Program program, String input, int channels, Value output,
                            GraphModel.Layout layout)
            throws WeightFormatException {
        if (!(output instanceof Value.Runtime out) || out.module() == null) {
            throw new WeightFormatException(source, "the graph output is " + (output instanceof Value.Const
                    ? "a constant" : "the input itself") + ", not a classifier");
        }
        Map<String, Program.Step> byName = new HashMap<>();
        for (Program.Step s : program.steps()) {
            byName.put(s.name(), s);
        }
        Program.Step last = byName.get(out.node());
        OutputActivation activation = OutputActivation.NONE;
        Program.Step head = last;
        if (last.module() instanceof Unary u && (u.kind() == Unary.Kind.SOFTMAX || u.kind() == Unary.Kind.SIGMOID)) {
            activation = u.kind() == Unary.Kind.SOFTMAX ? OutputActivation.SOFTMAX : OutputActivation.SIGMOID;
            head = byName.get(last.inputs().get(0));
        }
        if (head == null || !(head.module() instanceof Linear)) {
            Layer m = head == null ? null : head.module();
            throw new UnsupportedOnnxException(source, "the model ends in '" + last.name() + "' (" + last.module()
                    + ")" + (head != last && m != null ? " after '" + head.name() + "' (" + m + ")" : "")
                    + ", not a Gemm or MatMul layer (optionally followed by Softmax); fineturn needs a fully"
                    + " connected classifier head to replace");
        }
        Set<String> keep = ancestors(byName, head.name());
        GraphModel g = new GraphModel(input, channels, layout);
        for (Program.Step s : program.steps()) {
            if (keep.contains(s.name())) {
                g.addNode(s.name(), s.module(), s.inputs());
            }
        }
        g.setOutput(head.name(), activation);
        g.eval();
        return g;
    }

    private static Set<String> ancestors(Map<String, Program.Step> byName, String target) {
        Set<String> seen = new HashSet<>();
        List<String> stack = new ArrayList<>(List.of(target));
        while (!stack.isEmpty()) {
            String n = stack.removeLast();
            Program.Step s = byName.get(n);
            if (s != null && seen.add(n)) {
                stack.addAll(s.inputs());
            }
        }
        return seen;
    }
}
