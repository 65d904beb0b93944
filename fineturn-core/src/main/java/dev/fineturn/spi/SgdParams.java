package dev.fineturn.spi;

/** One SGD update with PyTorch's semantics; {@code firstStep} initialises the momentum buffer. */
public record SgdParams(float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
                        boolean firstStep) {
}
