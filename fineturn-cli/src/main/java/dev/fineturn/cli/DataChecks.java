package dev.fineturn.cli;

import java.util.List;

/** Checks that data fits a model before anything is computed on it. */
final class DataChecks {
    private DataChecks() {
    }

    /**
     * Refuses {@code data} whose classes are not {@code expected}'s, in the same order: label k
     * must mean the same class on both sides.
     */
    static void sameClasses(String data, List<String> actual, String expectedWhat, List<String> expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(data + " has classes " + shortList(actual) + ", but "
                    + expectedWhat + " has " + shortList(expected) + "; the class names and their order must match");
        }
    }

    private static String shortList(List<String> names) {
        return names.size() <= 12 ? names.toString()
                : names.subList(0, 12).toString().replace("]", ", ... (" + names.size() + " in all)]");
    }
}
