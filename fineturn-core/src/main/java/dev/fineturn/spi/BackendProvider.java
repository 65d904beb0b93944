package dev.fineturn.spi;

/**
 * Service interface discovered through {@link java.util.ServiceLoader}. A provider is cheap to
 * construct; the expensive work (loading drivers, compiling kernels) happens in {@link #probe()}
 * and {@link #create()}.
 */
public interface BackendProvider {
    /** Short unique name, e.g. {@code "cpu"}, used for explicit selection. */
    String name();

    /** Higher wins when no backend is named explicitly. */
    int priority();

    /**
     * Runs a real smoke kernel on the device and checks its result. A driver that loads and then
     * fails must be reported here as unavailable, with the reason.
     */
    Availability probe();

    /** Creates the backend; only called after a successful probe. */
    Backend create();
}
