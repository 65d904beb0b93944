package dev.fineturn.optim.schedule;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Builds schedules from CLI-style specs: a name, then optional {@code :}-separated arguments.
 *
 * <pre>
 * constant
 * step:SIZE[:GAMMA]                                    StepLr; GAMMA defaults to 0.1
 * exp:GAMMA                                            ExponentialLr
 * cosine[:MIN_FACTOR]                                  CosineLr over totalSteps; MIN_FACTOR defaults to 0
 * onecycle[:PCT[:DIV[:FINAL_DIV[:cos|linear]]]]        OneCycleLr over totalSteps; 0.3, 25, 1e4, cos
 * plateau[:FACTOR[:PATIENCE[:THRESHOLD[:MIN_FACTOR[:min|max]]]]]   ReduceOnPlateau; 0.1, 10, 1e-4, 0, min
 * </pre>
 *
 * The defaults are PyTorch's. Steps are optimiser steps; {@code cosine} and {@code onecycle} need the total.
 */
public final class Schedules {
    /** The accepted forms, as listed in error messages. */
    public static final List<String> KNOWN = List.of(
            "constant",
            "step:SIZE[:GAMMA]",
            "exp:GAMMA",
            "cosine[:MIN_FACTOR]",
            "onecycle[:PCT[:DIV[:FINAL_DIV[:cos|linear]]]]",
            "plateau[:FACTOR[:PATIENCE[:THRESHOLD[:MIN_FACTOR[:min|max]]]]]");

    private Schedules() {}

    /**
     * Parses {@code spec}; {@code totalSteps} is the number of optimiser steps in the run, needed (and checked to be
     * positive) only by {@code cosine} and {@code onecycle}.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists {@link #KNOWN}), a wrong number of
     *         arguments, an unparseable number or an out-of-range value
     */
    public static LrSchedule parse(String spec, long totalSteps) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty learning-rate schedule; known: " + String.join(", ", KNOWN));
        }
        String[] parts = spec.strip().split(":", -1);
        String name = parts[0].strip().toLowerCase(Locale.ROOT);
        String[] args = Arrays.copyOfRange(parts, 1, parts.length);
        Args a = new Args(spec, args);
        try {
            return switch (name) {
                case "constant" -> {
                    a.arity(0, 0, "constant");
                    yield new ConstantLr();
                }
                case "step" -> {
                    a.arity(1, 2, KNOWN.get(1));
                    yield new StepLr(a.longAt(0, "SIZE"), a.doubleAt(1, "GAMMA", 0.1));
                }
                case "exp" -> {
                    a.arity(1, 1, KNOWN.get(2));
                    yield new ExponentialLr(a.doubleAt(0, "GAMMA", Double.NaN));
                }
                case "cosine" -> {
                    a.arity(0, 1, KNOWN.get(3));
                    yield new CosineLr(needTotal(spec, totalSteps), a.doubleAt(0, "MIN_FACTOR", 0.0));
                }
                case "onecycle" -> {
                    a.arity(0, 4, KNOWN.get(4));
                    yield new OneCycleLr(needTotal(spec, totalSteps), a.doubleAt(0, "PCT", 0.3),
                            a.doubleAt(1, "DIV", 25.0), a.doubleAt(2, "FINAL_DIV", 1e4),
                            a.choice(3, "anneal strategy", "cos", "linear"));
                }
                case "plateau" -> {
                    a.arity(0, 5, KNOWN.get(5));
                    yield new ReduceOnPlateau(a.doubleAt(0, "FACTOR", 0.1), a.intAt(1, "PATIENCE", 10),
                            a.doubleAt(2, "THRESHOLD", 1e-4), a.doubleAt(3, "MIN_FACTOR", 0.0),
                            !a.choice(4, "mode", "min", "max"));
                }
                default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + parts[0].strip()
                        + "' in '" + spec + "'; known: " + String.join(", ", KNOWN));
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains(spec)) {
                throw e;
            }
            throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static long needTotal(String spec, long totalSteps) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("'" + spec + "' needs the total number of optimiser steps (> 0), got "
                    + totalSteps);
        }
        return totalSteps;
    }

    /** The arguments after the name, with the spec for messages. */
    private record Args(String spec, String[] values) {
        void arity(int min, int max, String form) {
            if (values.length < min || values.length > max) {
                throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': expected " + form
                        + " (" + values.length + " argument" + (values.length == 1 ? "" : "s") + " given)");
            }
        }

        private String raw(int i, String what) {
            String v = values[i].strip();
            if (v.isEmpty()) {
                throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': " + what + " is empty");
            }
            return v;
        }

        double doubleAt(int i, String what, double dflt) {
            if (i >= values.length) {
                return dflt;
            }
            String v = raw(i, what);
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': " + what
                        + " must be a number, got '" + v + "'");
            }
        }

        long longAt(int i, String what) {
            String v = raw(i, what);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': " + what
                        + " must be a whole number, got '" + v + "'");
            }
        }

        int intAt(int i, String what, int dflt) {
            if (i >= values.length) {
                return dflt;
            }
            String v = raw(i, what);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': " + what
                        + " must be a whole number, got '" + v + "'");
            }
        }

        /** True for {@code first} (also the default), false for {@code second}. */
        boolean choice(int i, String what, String first, String second) {
            if (i >= values.length) {
                return true;
            }
            String v = raw(i, what).toLowerCase(Locale.ROOT);
            if (v.equals(first)) {
                return true;
            }
            if (v.equals(second)) {
                return false;
            }
            throw new IllegalArgumentException("bad learning-rate schedule '" + spec + "': " + what + " must be "
                    + first + " or " + second + ", got '" + v + "'");
        }
    }
}
