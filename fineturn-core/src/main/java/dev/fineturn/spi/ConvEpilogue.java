package dev.fineturn.spi;

/** The activation a fused convolution applies after its bias and residual: y = f(conv + bias + residual). */
public enum ConvEpilogue {
    NONE,
    RELU,
    /** min(max(x, 0), 6). */
    RELU6
}
