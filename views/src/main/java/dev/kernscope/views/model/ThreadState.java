package dev.kernscope.views.model;

/** Thread end states of a scheduling slice, as the byte codes stored in {@link SliceBlock#endState}. */
public final class ThreadState {
    public static final byte UNKNOWN = 0;
    /** Preempted while runnable (R / R+). */
    public static final byte RUNNABLE = 1;
    /** Interruptible sleep (S). */
    public static final byte SLEEPING = 2;
    /** Uninterruptible sleep, usually I/O (D). */
    public static final byte UNINTERRUPTIBLE = 3;
    /** Exited (X / Z). */
    public static final byte DEAD = 4;

    private ThreadState() {}

    public static String label(byte state) {
        return switch (state) {
            case RUNNABLE -> "Runnable (preempted)";
            case SLEEPING -> "Sleeping";
            case UNINTERRUPTIBLE -> "Uninterruptible sleep";
            case DEAD -> "Dead";
            default -> "Unknown";
        };
    }
}
