package dev.fineturn.models.arch;

final class ArchChecks {
    private ArchChecks() {
    }

    static void numClasses(String arch, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException(arch + ": number of classes must be at least 1, got " + numClasses);
        }
    }
}
