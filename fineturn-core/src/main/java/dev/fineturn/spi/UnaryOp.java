package dev.fineturn.spi;

/**
 * Elementwise unary functions. {@code alpha} and {@code beta} are the op's parameters where it has
 * any (documented per constant); kernels receive them unchanged.
 */
public enum UnaryOp {
    RELU,
    /** min(max(x, 0), alpha); alpha is 6 for ReLU6. */
    CLIPPED_RELU,
    /** x if x > 0 else alpha * x. */
    LEAKY_RELU,
    SIGMOID,
    TANH,
    /** clamp(alpha * x + beta, 0, 1); PyTorch uses alpha = 1/6, beta = 1/2. */
    HARD_SIGMOID,
    /** x * clamp(alpha * x + beta, 0, 1). */
    HARD_SWISH,
    EXP,
    LOG,
    SQRT,
    /** alpha * x + beta. */
    AFFINE,
    SQUARE,
    ABS,
    /** 1 / x. */
    RECIPROCAL
}
