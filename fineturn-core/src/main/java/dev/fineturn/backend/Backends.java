package dev.fineturn.backend;

import dev.fineturn.spi.Availability;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Discovers backends through {@link ServiceLoader} and selects one: an explicit name, else the
 * {@code fineturn.backend} system property or {@code FINETURN_BACKEND} environment variable, else
 * the available backend with the highest priority. Probes run once per provider.
 */
public final class Backends {
    public static final String PROPERTY = "fineturn.backend";
    public static final String ENVIRONMENT = "FINETURN_BACKEND";

    private static final System.Logger LOG = System.getLogger("dev.fineturn.backend");
    private static final Map<String, BackendProvider> PROVIDERS = discover();
    private static final Map<String, Availability> PROBES = new ConcurrentHashMap<>();
    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
    private static volatile Backend defaultBackend;

    private Backends() {
    }

    /** A discovered backend and the outcome of its probe. */
    public record Status(String name, int priority, boolean available, String reason) {
    }

    private static Map<String, BackendProvider> discover() {
        Map<String, BackendProvider> found = new LinkedHashMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            found.putIfAbsent(p.name().toLowerCase(Locale.ROOT), p);
        }
        return found;
    }

    /** Names of every discovered backend, available or not. */
    public static List<String> names() {
        return List.copyOf(PROVIDERS.keySet());
    }

    /** Every discovered backend, highest priority first, with its probe result. */
    public static List<Status> statuses() {
        List<Status> out = new ArrayList<>();
        for (BackendProvider p : byPriority()) {
            Availability a = probe(p);
            out.add(new Status(p.name(), p.priority(), a.available(), a.reason()));
        }
        return out;
    }

    private static List<BackendProvider> byPriority() {
        List<BackendProvider> list = new ArrayList<>(PROVIDERS.values());
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    private static Availability probe(BackendProvider p) {
        return PROBES.computeIfAbsent(p.name(), n -> {
            try {
                Availability a = p.probe();
                return a == null ? Availability.unavailable("probe returned nothing") : a;
            } catch (Throwable t) {
                return Availability.unavailable("probe failed: " + t);
            }
        });
    }

    /** The backend with this name; fails with the known names, or with the probe's reason. */
    public static Backend get(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        BackendProvider p = PROVIDERS.get(key);
        if (p == null) {
            throw new IllegalArgumentException("unknown backend '" + name + "'; known backends: "
                    + String.join(", ", names()));
        }
        Availability a = probe(p);
        if (!a.available()) {
            throw new IllegalStateException("backend '" + p.name() + "' is not available: " + a.reason());
        }
        return CREATED.computeIfAbsent(key, k -> p.create());
    }

    /** The backend named by property or environment, else the best available one. */
    public static Backend defaultBackend() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                b = defaultBackend;
                if (b == null) {
                    b = select();
                    defaultBackend = b;
                }
            }
        }
        return b;
    }

    /** Replaces the default backend used by tensor factories that take none. */
    public static void setDefault(Backend backend) {
        defaultBackend = backend;
    }

    /**
     * Falling back to the single-threaded reference backend because a faster one lacks a JVM flag
     * (the cpu backend needs {@code --add-modules jdk.incubator.vector}) is worth a warning: a
     * class-path user would otherwise just see everything run many times slower.
     */
    static String fallbackWarning(String chosen, List<Status> skipped) {
        if (!chosen.equals("reference")) {
            return null;
        }
        for (Status s : skipped) {
            if (s.reason() != null && s.reason().contains("--add-modules")) {
                return "using the single-threaded reference backend: the " + s.name() + " backend is unavailable ("
                        + s.reason() + "); start java with --add-modules jdk.incubator.vector";
            }
        }
        return null;
    }

    private static Backend select() {
        String requested = System.getProperty(PROPERTY);
        if (requested == null || requested.isBlank()) {
            requested = System.getenv(ENVIRONMENT);
        }
        if (requested != null && !requested.isBlank()) {
            Backend b = get(requested);
            LOG.log(System.Logger.Level.DEBUG, "using backend ''{0}'' as requested", b.name());
            return b;
        }
        List<Status> skipped = new ArrayList<>();
        for (BackendProvider p : byPriority()) {
            Availability a = probe(p);
            if (a.available()) {
                LOG.log(System.Logger.Level.DEBUG, "using backend ''{0}'': {1}", p.name(), a.reason());
                String warning = fallbackWarning(p.name(), skipped);
                if (warning != null) {
                    LOG.log(System.Logger.Level.WARNING, warning);
                }
                return get(p.name());
            }
            skipped.add(new Status(p.name(), p.priority(), false, a.reason()));
            LOG.log(System.Logger.Level.INFO, "skipping backend ''{0}'': {1}", p.name(), a.reason());
        }
        throw new IllegalStateException("no backend is available; discovered: " + names());
    }
}
