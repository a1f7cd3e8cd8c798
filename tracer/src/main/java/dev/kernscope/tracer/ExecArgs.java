package dev.kernscope.tracer;

import com.sun.jna.Memory;
import dev.kernscope.tracer.bpf.BpfObject;
import java.nio.charset.StandardCharsets;

/**
 * The arguments of each exec as the exec tracepoint read them ({@code struct exec_args} and the
 * {@code exec_args} map in {@code bpf/sched.h}). The recorder applies an exec up to a poll period or more after
 * it happened, when a short-lived process can be gone from {@code /proc} or can have exec'ed again; these are
 * that exec's own. Writer thread only.
 */
final class ExecArgs {
    /** Offsets in struct exec_args. */
    static final int TS = 0, LEN = 8, ARGS = 16, MAX = 256, SIZE = ARGS + MAX;

    private final int mapFd;
    private final Memory key = new Memory(4), value = new Memory(SIZE);

    ExecArgs(int mapFd) {
        this.mapFd = mapFd;
    }

    /**
     * The command line of the exec of {@code pid} at {@code ts} ({@code /proc/PID/cmdline}'s form, NULs as
     * spaces), or null when the map has no entry for that exec (evicted, a later exec replaced it, or the
     * tracepoint could not read the arguments).
     */
    String of(int pid, long ts) {
        key.setInt(0, pid);
        if (BpfObject.lookup(mapFd, key, value) != 0 || value.getLong(TS) != ts) return null;
        int n = Math.min(value.getInt(LEN), MAX - 1);
        return n <= 0 ? null : ProcFs.cmdline(value.getByteArray(ARGS, n), n);
    }

    /** Whether {@code args} may have been cut at the map's size. */
    static boolean truncated(String args) {
        return args.getBytes(StandardCharsets.UTF_8).length >= MAX - 2;
    }
}
