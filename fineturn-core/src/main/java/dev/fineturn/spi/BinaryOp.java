package dev.fineturn.spi;

/** Elementwise binary functions with broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN;

    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }
}
