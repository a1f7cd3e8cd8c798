package dev.kernscope.storage;

/** Records returned by {@link TraceReader} queries. All immutable; ts and dur in ns. */
public final class Model {
    private Model() {}

    public record Cpu(int cpu, int node, boolean online) {}

    public record NumaNode(int node, long memBytes, String cpus) {}

    public record Distance(int src, int dst, int distance) {}

    public record Process(int upid, int pid, String name, String cmdline, Integer parentUpid, Long startTs,
                          Long endTs) {}

    /** A thread lifetime with its process' pid and name when known (0 / null otherwise). */
    public record Thread(int utid, int tid, int upid, int pid, String name, String processName, Long startTs,
                         Long endTs) {}

    public record ThreadName(int utid, long ts, String name) {}

    public record Wakeup(long ts, int utid, int wakerUtid, int targetCpu, Long runTs, Integer runCpu,
                         int reason) {
        /** Wakeup→run latency in ns, or -1 if the thread did not run before the recording ended. */
        public long latency() {
            return runTs == null ? -1 : runTs - ts;
        }
    }

    public record Migration(long ts, int utid, int origCpu, int destCpu) {}

    public record LostEvents(long ts, int cpu, String source, long count) {}

    /**
     * Every loss of a trace, by cause and by CPU, against what was offered: the events recorded (scheduler
     * events decoded, stack samples) plus those lost. Truncated stacks are kept, cut off: counted apart, not lost.
     */
    public record Losses(long lost, long offered, long truncated, java.util.Map<String, Long> bySource,
                         java.util.Map<Integer, Long> byCpu) {
        /** Lost over offered, 0 when nothing was offered. */
        public double fraction() {
            return offered == 0 ? 0 : (double) lost / offered;
        }
    }

    /**
     * Per-thread summary for a window: running time and runnable wait clipped to the window; latency
     * percentiles (nearest-rank) over wakeups (reasons 0 and 1) whose wakeup lies in the window and that ran.
     */
    public record ThreadSummary(int utid, int tid, int pid, String name, String processName, long runtime,
                                long waitTime, long wakeups, long latencyP50, long latencyP95,
                                long latencyP99, long latencyMax, long switches, long migrations) {}

    /** The recorder's own cost at {@code ts}: cumulative CPU time, RSS, events decoded and lost. */
    public record TracerCost(long ts, long cpuTimeNs, long rssBytes, long events, long lost) {}

    /** Summary of a whole trace, as {@code kernscope info} prints it. */
    public record Summary(long startTs, long endTs, int cpus, int nodes, String endReason, boolean synthetic,
                          java.util.Map<String, Long> rowCounts, long lostEvents,
                          java.util.Map<String, String> meta) {
        public long duration() {
            return endTs - startTs;
        }
    }
}
