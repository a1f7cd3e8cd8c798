package dev.kernscope.storage;

/**
 * What a thread was doing over an interval, in the words the CSV exports and the state track use: on a CPU,
 * queued on one (after a preemption or after a wakeup), blocked in one of the kernel's sleeping states, or
 * gone. Derived from {@code sched_slice} end states ({@link SliceState}) and {@code wakeup} rows. Stateless.
 */
public enum ThreadState {
    RUNNING("running"),
    /** Queued after being switched out while still runnable: it wanted the CPU and did not get it. */
    PREEMPTED("runnable"),
    /** Queued after a wakeup (or as a new task) until it ran: scheduling latency. */
    WOKEN("runnable"),
    SLEEPING("sleeping"),
    UNINTERRUPTIBLE("uninterruptible"),
    IDLE("idle"),
    STOPPED("stopped"),
    PARKED("parked"),
    EXITED("exited"),
    UNKNOWN("unknown");

    private final String word;

    ThreadState(String word) {
        this.word = word;
    }

    /** The state in one lower-case word; both runnable kinds are {@code runnable}. */
    public String word() {
        return word;
    }

    /** Queued on a CPU, waiting for it. */
    public boolean runnable() {
        return this == PREEMPTED || this == WOKEN;
    }

    /** Off the CPU and not queued: waiting for something else (a wakeup ends it). */
    public boolean blocked() {
        return this == SLEEPING || this == UNINTERRUPTIBLE || this == IDLE || this == STOPPED || this == PARKED
                || this == UNKNOWN;
    }

    /** The state a thread is in after a switch-out with kernel state word {@code endState}. */
    static ThreadState afterSwitchOut(int endState) {
        return switch (SliceState.of(endState)) {
            case RUNNING -> RUNNING;
            case RUNNABLE -> PREEMPTED;
            case SLEEPING -> SLEEPING;
            case UNINTERRUPTIBLE -> UNINTERRUPTIBLE;
            case IDLE -> IDLE;
            case STOPPED -> STOPPED;
            case PARKED -> PARKED;
            case EXITED -> EXITED;
            case UNKNOWN -> UNKNOWN;
        };
    }
}
