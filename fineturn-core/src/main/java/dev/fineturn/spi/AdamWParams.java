package dev.fineturn.spi;

/**
 * One AdamW update (decoupled weight decay). The bias corrections {@code 1 - beta^t} are computed
 * by the caller in double precision and passed in.
 */
public record AdamWParams(float lr, float beta1, float beta2, float eps, float weightDecay,
                          float biasCorrection1, float biasCorrection2) {
    public static AdamWParams atStep(float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        return new AdamWParams(lr, beta1, beta2, eps, weightDecay,
                (float) (1 - Math.pow(beta1, step)), (float) (1 - Math.pow(beta2, step)));
    }
}
