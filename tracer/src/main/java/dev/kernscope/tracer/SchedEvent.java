package dev.kernscope.tracer;

/**
 * Java mirror of {@code struct sched_event} in {@code bpf/sched.h}: type codes and byte offsets.
 * {@code SchedEventLayoutTest} checks these against the compiled object's BTF. Constants only; thread-safe.
 */
public final class SchedEvent {
    public static final int SWITCH = 1, WAKEUP = 2, WAKEUP_NEW = 3, MIGRATE = 4, FORK = 5, EXEC = 6, EXIT = 7,
            RENAME = 8;
    public static final int RUNQ_NONE = -1;
    public static final int COMM_LEN = 16;

    public static final int TS = 0, STATE = 8, TYPE = 16, CPU = 20, PID = 24, TGID = 28, PID2 = 32, TGID2 = 36,
            ARG0 = 40, ARG1 = 44, RUNQ = 48, RUNQ_CPU = 52, COMM = 56;
    /** sizeof(struct sched_event); records without a comm are {@link #COMM} bytes long. */
    public static final int SIZE = 72;

    private SchedEvent() {
    }
}
