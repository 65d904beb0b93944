package dev.fineturn.models.match;

/** Strict loading found too few of the model's weights in the source; {@link #report()} says what matched. */
public final class WeightMatchException extends IllegalArgumentException {
    private final transient LoadReport report;

    WeightMatchException(String message, LoadReport report) {
        super(message);
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }
}
