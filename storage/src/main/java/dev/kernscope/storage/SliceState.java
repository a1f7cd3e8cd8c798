package dev.kernscope.storage;

/**
 * What {@code sched_slice.end_state} means: the kernel's task state word at switch-out (TASK_* bits of
 * {@code task_struct.__state}), 0 for a preempted task, -1 for a slice still running when the recording ended.
 * One decoder for every reader (CSV, timeline), in the words users use. Stateless.
 */
public enum SliceState {
    RUNNING("running"),
    RUNNABLE("runnable"),
    SLEEPING("sleeping"),
    UNINTERRUPTIBLE("uninterruptible"),
    IDLE("idle"),
    STOPPED("stopped"),
    PARKED("parked"),
    EXITED("exited"),
    UNKNOWN("unknown");

    // include/linux/sched.h
    private static final int INTERRUPTIBLE = 0x1, UNINTERRUPTIBLE_BIT = 0x2, STOPPED_BIT = 0x4, TRACED = 0x8,
            EXIT_DEAD = 0x10, EXIT_ZOMBIE = 0x20, PARKED_BIT = 0x40, DEAD = 0x80, WAKING = 0x200, NOLOAD = 0x400;

    private final String word;

    SliceState(String word) { this.word = word; }

    /** The state in one lower-case word, as the CSV export writes it. */
    public String word() { return word; }

    public static SliceState of(int endState) {
        if (endState == -1) return RUNNING;
        if (endState == 0) return RUNNABLE;
        if (endState < 0) return UNKNOWN;
        if ((endState & (DEAD | EXIT_DEAD | EXIT_ZOMBIE)) != 0) return EXITED;
        // switched out while a wakeup was already setting it running again
        if ((endState & WAKING) != 0) return RUNNABLE;
        if ((endState & UNINTERRUPTIBLE_BIT) != 0) return (endState & NOLOAD) != 0 ? IDLE : UNINTERRUPTIBLE;
        if ((endState & INTERRUPTIBLE) != 0) return SLEEPING;
        if ((endState & (STOPPED_BIT | TRACED)) != 0) return STOPPED;
        if ((endState & PARKED_BIT) != 0) return PARKED;
        return UNKNOWN;
    }
}
