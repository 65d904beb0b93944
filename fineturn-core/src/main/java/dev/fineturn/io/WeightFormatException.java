package dev.fineturn.io;

import java.nio.file.Path;

/** A weight file that cannot be read; the message names the file and the problem. */
public class WeightFormatException extends java.io.IOException {
    public WeightFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public WeightFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
