package dev.kernscope.tracer.numa;

/**
 * Java mirror of {@code struct numa_event} in {@code bpf/numa.h}: record size, field offsets and event types.
 * Constants only; thread-safe.
 */
public final class NumaEvent {
    private NumaEvent() {}

    public static final int SIZE = 64;
    public static final int TS = 0, COUNT = 8, COUNT2 = 16, TYPE = 24, CPU = 28, PID = 32, TGID = 36, PID2 = 40,
            TGID2 = 44, SRC_CPU = 48, DST_CPU = 52, NID = 56, FLAGS = 60;

    /** enum numa_event_type. */
    public static final int FAULT = 1, MOVE = 2, SWAP = 3, STICK = 4, MIGRATE_PAGES = 5;

    /** Kernel TNF_* flags of task_numa_fault. */
    public static final int TNF_MIGRATED = 0x01, TNF_NO_GROUP = 0x02, TNF_SHARED = 0x04, TNF_FAULT_LOCAL = 0x08,
            TNF_MIGRATE_FAIL = 0x10;

    /** Program names in numa.bpf.c, for autoload and attach. */
    public static final String PROG_FAULT = "task_numa_fault", PROG_MIGRATE_PAGES = "mm_migrate_pages";
    public static final String[] PROGS_BTF = {"sched_move_numa_btf", "sched_swap_numa_btf", "sched_stick_numa_btf"};
    public static final String[] PROGS_RAW = {"sched_move_numa_raw", "sched_swap_numa_raw", "sched_stick_numa_raw"};
    /** Map names. */
    public static final String MAP_EVENTS = "numa_events", MAP_LOST = "numa_lost";
}
