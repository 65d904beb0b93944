package dev.fineturn.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file or folder that cannot be read; the message names the file and the problem. */
public class DatasetFormatException extends IOException {
    public DatasetFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public DatasetFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
