package dev.kernscope.tracer;

import dev.kernscope.storage.CpuList;
import dev.kernscope.tracer.stacks.StackOptions;

import java.util.BitSet;

/**
 * What and how to record. Immutable and thread-safe.
 *
 * @param cpus     CPUs to record, null for all
 * @param pid      only events involving this process (tgid), 0 for all
 * @param bufferMb ring buffer size in MiB (rounded up to a power of two)
 * @param pollMs   consumer timer: how often the ring buffer is drained when not woken earlier
 * @param verbose  print attach timings and libbpf messages to stderr
 * @param cmdline  command line to store in meta('cmdline')
 * @param stacks   on-/off-CPU stack sampling, null for none ({@code --no-stacks})
 */
public record RecordOptions(BitSet cpus, int pid, int bufferMb, int pollMs, boolean verbose, String cmdline,
                            StackOptions stacks) {
    /** Options with default stack sampling. */
    public RecordOptions(BitSet cpus, int pid, int bufferMb, int pollMs, boolean verbose, String cmdline) {
        this(cpus, pid, bufferMb, pollMs, verbose, cmdline, StackOptions.defaults());
    }

    public static RecordOptions defaults() {
        return new RecordOptions(null, 0, 16, 50, false, "");
    }

    public RecordOptions withStacks(StackOptions s) {
        return new RecordOptions(cpus, pid, bufferMb, pollMs, verbose, cmdline, s);
    }

    public RecordOptions withCpus(BitSet c) {
        return new RecordOptions(c, pid, bufferMb, pollMs, verbose, cmdline, stacks);
    }

    public RecordOptions withPid(int p) {
        return new RecordOptions(cpus, p, bufferMb, pollMs, verbose, cmdline, stacks);
    }

    public RecordOptions withBufferMb(int mb) {
        return new RecordOptions(cpus, pid, mb, pollMs, verbose, cmdline, stacks);
    }

    public RecordOptions withVerbose(boolean v) {
        return new RecordOptions(cpus, pid, bufferMb, pollMs, v, cmdline, stacks);
    }

    public RecordOptions withCmdline(String c) {
        return new RecordOptions(cpus, pid, bufferMb, pollMs, verbose, c, stacks);
    }

    /** Ring buffer bytes: a power of two, at least one page. */
    public long bufferBytes() {
        long b = Math.max(4096, (long) bufferMb << 20);
        return Long.highestOneBit(b - 1) << 1;
    }

    /** Parses a sysfs-style CPU list such as {@code 0-3,8}. */
    public static BitSet parseCpuList(String list) {
        BitSet set = new BitSet();
        for (int cpu : CpuList.parse(list)) {
            if (cpu >= 1024) throw new IllegalArgumentException("bad CPU range '" + list.strip() + "': CPUs go up to 1023");
            set.set(cpu);
        }
        return set;
    }
}
