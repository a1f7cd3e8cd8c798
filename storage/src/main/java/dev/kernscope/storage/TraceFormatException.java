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

    /**
     * One line for the user about any failure while reading a trace, errors included: a trace that lies can
     * make a reader run out of memory or recurse, and that must read as a message, not a stack trace.
     */
    public static String oneLine(Throwable t) {
        String msg;
        if (t instanceof OutOfMemoryError) {
            msg = "ran out of memory reading the trace: it is damaged, or larger than this Java heap allows (-Xmx)";
        } else if (t instanceof StackOverflowError) {
            msg = "this trace is damaged: reading it nested too deeply";
        } else if (t instanceof IOException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            msg = String.valueOf(t.getMessage());
        } else {
            msg = "cannot read the trace (" + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()) + "); it may be damaged";
        }
        msg = msg.replaceAll("[\\p{Cntrl}]+", " ").strip();
        return msg.length() > 300 ? msg.substring(0, 300) + "…" : msg;
    }
}
