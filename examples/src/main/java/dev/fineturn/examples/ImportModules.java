package dev.fineturn.examples;

import module java.base;
import module dev.fineturn.core;

/**
 * fineturn's types next to java.base's under {@code import module}: this compiles only while no
 * name the two share is ambiguous ({@code Module} is java.lang's; fineturn's layers are {@code Layer}).
 */
public final class ImportModules {
    private ImportModules() {
    }

    public static String describe(Layer layer) {
        List<Tensor> parameters = layer.parameters();
        return parameters.size() + " parameter tensors; " + Module.class.getName();
    }
}
