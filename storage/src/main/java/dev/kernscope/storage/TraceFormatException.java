package dev.kernscope.storage;

import java.io.IOException;

/**
 * A file that cannot be read as a kernscope trace, with a message meant for the user: one sentence that
 * says what is wrong and what to do. Immutable.
 */
public final class TraceFormatException extends IOException {
    public TraceFormatException(String message) {
        super(message);
    }

    public TraceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
