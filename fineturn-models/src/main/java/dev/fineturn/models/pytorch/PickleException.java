package dev.fineturn.models.pytorch;

/** A problem inside the pickle; the unpickler adds the file and the byte offset. */
final class PickleException extends Exception {
    PickleException(String message) {
        super(message);
    }
}
