package dev.fineturn.train.linear;

/** A differentiable function of a vector, as {@link Lbfgs} minimises it. */
@FunctionalInterface
public interface Objective {
    /** Returns f(x) and writes the gradient of f at x into {@code gradOut}, which has the length of x. */
    double valueAndGradient(double[] x, double[] gradOut);
}
