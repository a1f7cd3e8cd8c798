package dev.kernscope.views.model;

/**
 * What a thread did when one of its scheduling slices ended, as the byte codes stored in
 * {@link SliceBlock#endState}, named in the words users use. Stateless.
 */
public final class ThreadState {
    /** Not known, or several (a slice merged from many). */
    public static final byte UNKNOWN = 0;
    /** Preempted while runnable (R / R+), or switched out while being woken. */
    public static final byte RUNNABLE = 1;
    /** Interruptible sleep (S). */
    public static final byte SLEEPING = 2;
    /** Uninterruptible sleep, usually I/O (D). */
    public static final byte UNINTERRUPTIBLE = 3;
    /** Exited (the thread's last slice). */
    public static final byte DEAD = 4;
    /** Still running when the recording ended. */
    public static final byte RUNNING = 5;
    /** Idle wait of a kernel thread (I: uninterruptible, not counted as load). */
    public static final byte IDLE = 6;
    /** Stopped or traced (T / t). */
    public static final byte STOPPED = 7;
    /** A parked kernel thread (P). */
    public static final byte PARKED = 8;

    private ThreadState() {}

    public static String label(byte state) {
        return switch (state) {
            case RUNNABLE -> "runnable (preempted)";
            case SLEEPING -> "sleeping";
            case UNINTERRUPTIBLE -> "uninterruptible (waiting, usually for I/O)";
            case DEAD -> "exited";
            case RUNNING -> "running when the recording ended";
            case IDLE -> "idle (kernel thread waiting for work)";
            case STOPPED -> "stopped";
            case PARKED -> "parked";
            default -> "unknown";
        };
    }
}
