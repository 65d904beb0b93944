/** The README's Java examples, compiled as a named module. */
module dev.fineturn.examples {
    requires dev.fineturn.models;
    requires java.desktop; // ImageFolderDataset decodes PNG/JPEG with ImageIO

    exports dev.fineturn.examples;
}
