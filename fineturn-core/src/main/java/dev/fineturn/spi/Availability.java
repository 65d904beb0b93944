package dev.fineturn.spi;

/** The outcome of a backend's availability probe: usable, or not and why. */
public record Availability(boolean available, String reason) {
    public static Availability ok(String detail) {
        return new Availability(true, detail);
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
