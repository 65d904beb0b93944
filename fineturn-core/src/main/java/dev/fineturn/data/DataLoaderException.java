package dev.fineturn.data;

/** Loading a batch failed; the cause is what the dataset or a transform threw. */
public class DataLoaderException extends RuntimeException {
    public DataLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
