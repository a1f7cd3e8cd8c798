package dev.kernscope.tracer;

/**
 * Java mirror of {@code struct sched_event} and {@code struct sched_task_event} in {@code bpf/sched.h}: type
 * codes and byte offsets. {@code SchedEventLayoutTest} checks these against the compiled object's BTF.
 * Constants only; thread-safe.
 */
public final class SchedEvent {
    public static final int SWITCH = 1, WAKEUP = 2, WAKEUP_NEW = 3, MIGRATE = 4, FORK = 5, EXEC = 6, EXIT = 7,
            RENAME = 8, BATCH = 9, RUNQ = 10;
    /**
     * Not a kernel event: the reader's note that every event stamped before its ts has been read (see
     * {@link EventMerger}).
     */
    public static final int MARK = 100;
    public static final int COMM_LEN = 16;

    /** Offsets of struct sched_event; type, cpu and arg0 are u16, arg1 and arg2 u8. */
    public static final int TS = 0, PID = 8, TYPE = 12, CPU = 14, TGID = 16, PID2 = 20, TGID2 = 24, ARG0 = 28,
            ARG1 = 30, ARG2 = 31;
    /** sizeof(struct sched_event). */
    public static final int SIZE = 32;
    /** Offset of comm in struct sched_task_event, and its size: fork, exec and rename records carry a comm. */
    public static final int COMM = 32, TASK_SIZE = 48;
    /**
     * struct sched_batch: a sched_event header (type BATCH, pid = event count) and up to BATCH_EVENTS
     * events; {@code BATCH_SIZE} is its sizeof.
     */
    public static final int BATCH_EVENTS = 126, BATCH_SIZE = SIZE * (BATCH_EVENTS + 1);

    /** True for the types the kernel sends in per-CPU batches (the others come one record each). */
    static boolean batched(int type) {
        return type >= SWITCH && type <= MIGRATE || type == RUNQ;
    }

    private SchedEvent() {
    }
}
