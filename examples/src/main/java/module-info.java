/** The README's Java examples, compiled as a named module. */
module dev.fineturn.examples {
    requires dev.fineturn.models;

    exports dev.fineturn.examples;
}
