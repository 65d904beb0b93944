package dev.fineturn.models.format;

/**
 * The libraries only some importers need (protobuf-java for ONNX, jHDF for Keras HDF5) are
 * optional modules of {@code dev.fineturn.models}, so an application that reads only safetensors,
 * {@code .pth} or TF.js files can be linked into a runtime image without them. On the module path
 * they must then be added by the application; this names what is missing instead of failing with
 * a missing class.
 */
public final class OptionalModules {
    public static final String PROTOBUF = "com.google.protobuf";
    public static final String JHDF = "io.jhdf";

    private OptionalModules() {
    }

    /** Throws a one-line {@link IllegalStateException} when {@code module} is not in this module's layer. */
    public static void require(String module, String what) {
        Module self = OptionalModules.class.getModule();
        if (!self.isNamed() || self.getLayer() == null || self.getLayer().findModule(module).isPresent()) {
            return;
        }
        throw new IllegalStateException(what + " needs the module " + module + ", which is not in the module "
                + "graph: add 'requires " + module + ";' to your module-info.java, or run with --add-modules "
                + module);
    }
}
