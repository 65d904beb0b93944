package dev.fineturn.train;

/** Training stopped because the loss became NaN, infinite or exploded. */
public class DivergenceException extends RuntimeException {
    public DivergenceException(String message) {
        super(message);
    }
}
