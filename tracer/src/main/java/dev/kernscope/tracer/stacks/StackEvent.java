package dev.kernscope.tracer.stacks;

/**
 * Java mirror of {@code struct stack_event} and the constants of {@code bpf/stacks.h}: byte offsets, kinds,
 * counter indexes. {@code StackEventLayoutTest} checks the offsets against the compiled object's BTF.
 * Constants only; thread-safe.
 */
public final class StackEvent {
    public static final int MAX_DEPTH = 127;
    public static final int ON_CPU = 0, OFF_CPU = 1;
    public static final int F_KERNEL_TRUNC = 1, F_USER_TRUNC = 2, F_WAKER_TRUNC = 4;
    /** Indexes of the per-CPU {@code counters} map, and the lost_events source each one is written as. */
    public static final int CNT_RINGBUF = 0, CNT_TRUNCATED = 1, CNT_TASK_MAP = 2, CNT_NO_USER = 3, CNT_MAX = 4;
    static final String[] CNT_SOURCE = {"stacks_ringbuf", "stack_truncated", "stack_map", "offcpu_no_user_stack"};

    public static final int TS = 0, WEIGHT = 8, KIND = 16, CPU = 20, PID = 24, TGID = 28, WAKER_PID = 32,
            WAKER_TGID = 36, NK = 40, NU = 44, NWK = 48, FLAGS = 52, IPS = 56;
    /** sizeof(struct stack_event): the header plus room for three full stacks; records carry only the ips taken. */
    public static final int SIZE = IPS + 3 * MAX_DEPTH * 8;

    private StackEvent() {
    }
}
