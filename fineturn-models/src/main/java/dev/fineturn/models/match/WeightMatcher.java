package dev.fineturn.models.match;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pairs the tensors of a weight file with a model's parameters and buffers, then copies them in.
 * Stages, each on what the previous ones left over:
 * <ol>
 *   <li>exact name;</li>
 *   <li>renamed: the source name through the rename rules (in order), then with the strip
 *       prefixes removed from both names ({@code module.} from DataParallel, {@code model.});</li>
 *   <li>shape order: the remaining tensors of both sides in order, when their roles (weight, bias,
 *       running mean, ...) and shapes line up. After some names matched, only a complete line-up
 *       of equally many tensors counts. When no name matched (a Keras-named file onto torchvision
 *       names), it is enough that the shorter side lines up with the start of the longer one, or
 *       that equally many tensors line up up to a point and only have compatible roles after it:
 *       those pairs are shape mismatches, typically a different classifier head.</li>
 * </ol>
 * A name or position match with a different shape is a shape mismatch: nothing is copied into
 * that tensor. Instances are immutable; the {@code with}-style methods return changed copies.
 */
public final class WeightMatcher {
    private record RenameRule(Pattern pattern, String replacement) {
    }

    private record Pair(String target, NamedTensor source, LoadReport.How how) {
    }

    private record Plan(List<Pair> pairs, LoadReport report) {
    }

    private final List<String> prefixes;
    private final List<RenameRule> renames;
    private final boolean byShapeOrder;
    private final double minFraction;

    private WeightMatcher(List<String> prefixes, List<RenameRule> renames, boolean byShapeOrder, double minFraction) {
        this.prefixes = List.copyOf(prefixes);
        this.renames = List.copyOf(renames);
        this.byShapeOrder = byShapeOrder;
        this.minFraction = minFraction;
    }

    /** Strips {@code module.} and {@code model.}, matches by shape order, and is not strict. */
    public static WeightMatcher defaults() {
        return new WeightMatcher(List.of("module.", "model."), List.of(), true, 0);
    }

    /** Replaces the prefixes stripped from both names in the renamed stage. */
    public WeightMatcher stripPrefixes(String... newPrefixes) {
        return new WeightMatcher(List.of(newPrefixes), renames, byShapeOrder, minFraction);
    }

    /** Adds a rule applied to source names, as {@code Matcher.replaceAll(replacement)} ({@code $1} refers to a group). */
    public WeightMatcher rename(String regex, String replacement) {
        List<RenameRule> rules = new ArrayList<>(renames);
        rules.add(new RenameRule(Pattern.compile(regex), replacement));
        return new WeightMatcher(prefixes, rules, byShapeOrder, minFraction);
    }

    public WeightMatcher matchByShapeOrder(boolean on) {
        return new WeightMatcher(prefixes, renames, on, minFraction);
    }

    /**
     * Makes {@link #load} fail, copying nothing, when no weight matched or fewer than
     * {@code minFraction} of the model's weights did (batch-norm counters aside).
     */
    public WeightMatcher strict(double minFraction) {
        if (!(minFraction > 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("strict: the fraction of weights to match must be in (0, 1], got "
                    + minFraction);
        }
        return new WeightMatcher(prefixes, renames, byShapeOrder, minFraction);
    }

    /** Strict with every weight required. */
    public WeightMatcher strict() {
        return strict(1.0);
    }

    /** What {@link #load} would do, without copying anything. */
    public LoadReport match(Layer model, List<NamedTensor> source) {
        return plan(TorchOrder.stateDict(model), source).report();
    }

    /** Pairs the tensors, checks the strict threshold, then copies every paired tensor into the model. */
    public LoadReport load(Layer model, List<NamedTensor> source) {
        Map<String, Tensor> targets = TorchOrder.stateDict(model);
        Plan plan = plan(targets, source);
        LoadReport report = plan.report();
        if (minFraction > 0) {
            checkStrict(report, targets, source);
        }
        for (Pair p : plan.pairs()) {
            Tensor target = targets.get(p.target());
            target.copyFrom(Tensor.of(target.backend(), p.source().data(), p.source().shape()));
        }
        return report;
    }

    /** The message says what went wrong and the summary; the full table is on {@link WeightMatchException#report()}. */
    private void checkStrict(LoadReport report, Map<String, Tensor> targets, List<NamedTensor> source) {
        String problem;
        if (report.loadedWeights() == 0) {
            problem = "no weights matched the model: the file has " + examples(source.stream().map(NamedTensor::name)
                    .toList()) + ", the model expects " + examples(new ArrayList<>(targets.keySet()))
                    + "; add rename rules or check the architecture";
        } else if (report.fractionLoaded() < minFraction) {
            problem = String.format(Locale.ROOT, "only %d of %d weights matched (%.1f%%, at least %.1f%% required)",
                    report.loadedWeights(), report.weightCount(), 100 * report.fractionLoaded(), 100 * minFraction);
        } else {
            return;
        }
        StringBuilder message = new StringBuilder(problem).append('\n').append(report.summary());
        report.notes().forEach(n -> message.append("\nnote: ").append(n));
        throw new WeightMatchException(message.toString(), report);
    }

    private static String examples(List<String> names) {
        return names.size() + " tensors like " + names.subList(0, Math.min(3, names.size()));
    }

    private Plan plan(Map<String, Tensor> targets, List<NamedTensor> source) {
        Set<String> openTargets = new LinkedHashSet<>(targets.keySet());
        List<NamedTensor> openSources = new ArrayList<>(source);
        List<Pair> pairs = new ArrayList<>();
        List<LoadReport.Loaded> loaded = new ArrayList<>();
        List<LoadReport.Mismatch> mismatched = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        for (NamedTensor s : List.copyOf(openSources)) {
            if (openTargets.contains(s.name())) {
                settle(s.name(), targets.get(s.name()), s, LoadReport.How.EXACT, pairs, loaded, mismatched);
                openTargets.remove(s.name());
                openSources.remove(s);
            }
        }

        Map<String, String> targetByKey = new HashMap<>();
        for (String t : openTargets) {
            String key = stripPrefixes(t);
            targetByKey.put(key, targetByKey.containsKey(key) ? null : t);
        }
        for (NamedTensor s : List.copyOf(openSources)) {
            String t = targetByKey.get(stripPrefixes(renamed(s.name())));
            if (t != null && openTargets.contains(t)) {
                settle(t, targets.get(t), s, LoadReport.How.RENAMED, pairs, loaded, mismatched);
                openTargets.remove(t);
                openSources.remove(s);
            }
        }

        if (byShapeOrder) {
            boolean namesMatched = !loaded.isEmpty() || !mismatched.isEmpty();
            matchByOrder(targets, openTargets, openSources, namesMatched, pairs, loaded, mismatched, notes);
        }

        List<LoadReport.Entry> missing = openTargets.stream()
                .map(t -> new LoadReport.Entry(t, targets.get(t).shape())).toList();
        List<LoadReport.Entry> unexpected = openSources.stream()
                .map(s -> new LoadReport.Entry(s.name(), s.shape())).toList();
        int weights = (int) targets.keySet().stream().filter(t -> TensorRole.of(t) != TensorRole.COUNTER).count();
        return new Plan(pairs, new LoadReport(loaded, mismatched, missing, unexpected, notes, weights));
    }

    private void matchByOrder(Map<String, Tensor> targets, Set<String> openTargets, List<NamedTensor> openSources,
                              boolean namesMatched, List<Pair> pairs, List<LoadReport.Loaded> loaded,
                              List<LoadReport.Mismatch> mismatched, List<String> notes) {
        List<String> t = openTargets.stream().filter(n -> TensorRole.of(n) != TensorRole.COUNTER).toList();
        List<NamedTensor> s = openSources.stream().filter(n -> TensorRole.of(n.name()) != TensorRole.COUNTER).toList();
        if (t.isEmpty() || s.isEmpty()) {
            return;
        }
        int n = Math.min(t.size(), s.size());
        int aligned = 0;
        while (aligned < n && lineUp(t.get(aligned), targets.get(t.get(aligned)), s.get(aligned))) {
            aligned++;
        }
        boolean rolesAgree = t.size() == s.size();
        for (int i = aligned; i < n && rolesAgree; i++) {
            rolesAgree = TensorRole.of(t.get(i)).compatible(TensorRole.of(s.get(i).name()));
        }
        boolean applies = namesMatched ? aligned == n && t.size() == s.size() : aligned > 0 && (aligned == n || rolesAgree);
        if (!applies) {
            String where = aligned < n
                    ? "they part at position " + aligned + " (model '" + t.get(aligned) + "' "
                    + Arrays.toString(targets.get(t.get(aligned)).shape()) + ", source '" + s.get(aligned).name() + "' "
                    + Arrays.toString(s.get(aligned).shape()) + ")"
                    : "after name matches only equally many tensors that all line up are paired";
            notes.add("shape order did not apply: " + t.size() + " model and " + s.size() + " source tensors were left, "
                    + "and " + where);
            return;
        }
        for (int i = 0; i < n; i++) {
            settle(t.get(i), targets.get(t.get(i)), s.get(i), LoadReport.How.SHAPE_ORDER, pairs, loaded, mismatched);
            openTargets.remove(t.get(i));
            openSources.remove(s.get(i));
        }
    }

    private static boolean lineUp(String targetName, Tensor target, NamedTensor source) {
        return TensorRole.of(targetName).compatible(TensorRole.of(source.name()))
                && Arrays.equals(target.shape(), source.shape());
    }

    private static void settle(String name, Tensor target, NamedTensor source, LoadReport.How how, List<Pair> pairs,
                               List<LoadReport.Loaded> loaded, List<LoadReport.Mismatch> mismatched) {
        if (Arrays.equals(target.shape(), source.shape())) {
            pairs.add(new Pair(name, source, how));
            loaded.add(new LoadReport.Loaded(name, source.name(), source.shape(), how));
        } else {
            mismatched.add(new LoadReport.Mismatch(name, target.shape(), source.name(), source.shape(), how));
        }
    }

    private String renamed(String name) {
        String out = name;
        for (RenameRule r : renames) {
            out = r.pattern().matcher(out).replaceAll(r.replacement());
        }
        return out;
    }

    private String stripPrefixes(String name) {
        String out = name;
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String p : prefixes) {
                if (!p.isEmpty() && out.startsWith(p)) {
                    out = out.substring(p.length());
                    stripped = true;
                }
            }
        }
        return out;
    }
}
