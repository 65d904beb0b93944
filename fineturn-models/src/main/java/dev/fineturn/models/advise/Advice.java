package dev.fineturn.models.advise;

import dev.fineturn.train.Strategy;

import java.util.Map;

/**
 * What the advisor measured and recommends.
 *
 * @param cutNode       the probed layer with the best features, where a graph model is cut
 * @param freezeThrough for partial fine-tuning of a graph, the last frozen layer (null: count the blocks)
 * @param probeAccuracy held-out linear-probe accuracy per feature source ("pixels" and each probed layer)
 */
public record Advice(Strategy strategy, String cutNode, String freezeThrough, double lr, double backboneLrFactor, String schedule,
                     double samplesPerClass, boolean small, boolean similar, Map<String, Double> probeAccuracy,
                     String reasoning) {

    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s from %s, lr %.0e (backbone x%.1f), %s schedule%n", strategy, cutNode, lr,
                backboneLrFactor, schedule));
        probeAccuracy.forEach((k, v) -> b.append(String.format("  linear probe on %-22s %.3f%n", k + ":", v)));
        b.append("  ").append(reasoning);
        return b.toString();
    }
}
