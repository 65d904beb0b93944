package dev.fineturn.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file or folder that cannot be read; the message names the file and the problem. */
public class DatasetFormatException extends IOException {
    private final String problem;

    public DatasetFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.problem = problem;
    }

    public DatasetFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.problem = problem;
    }

    /** The problem, without the file name. */
    public String reason() {
        return problem;
    }
}
