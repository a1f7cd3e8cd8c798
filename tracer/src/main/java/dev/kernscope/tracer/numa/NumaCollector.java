package dev.kernscope.tracer.numa;

import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * Everything NUMA a recording collects from /sys and /proc, behind one call the recorder makes on its
 * writer thread: {@link #start} once (topology and feature flags), then {@link #poll} as often as it likes
 * (each counter source samples only when its period is due), then {@link #close}.
 *
 * <p>Not thread-safe: confine to the thread that owns the {@link TraceWriter}.
 */
public final class NumaCollector implements AutoCloseable {
    private final SysRoot root;
    private final NumaTopology topology;
    private final NumaFeatures features;
    private final NumaSampler counters;
    private final ProcessNumaSampler processes;
    private final long counterPeriod;
    private final long processPeriod;
    private long nextCounter = Long.MIN_VALUE;
    private long nextProcess = Long.MIN_VALUE;

    /**
     * @param pidToUpid the recorder's tgid → upid map (0 = unknown process, not sampled)
     * @param pids      processes whose pages to sample, or null for the top {@code processLimit} by RSS
     */
    public NumaCollector(SysRoot root, IntUnaryOperator pidToUpid, Supplier<int[]> pids, int processLimit,
                         long counterPeriodNs, long processPeriodNs) throws IOException {
        this.root = root;
        this.topology = NumaTopology.read(root);
        this.features = NumaFeatures.detect(root);
        this.counters = new NumaSampler(root, topology);
        this.processes = new ProcessNumaSampler(root, topology, pidToUpid, pids, processLimit);
        this.counterPeriod = counterPeriodNs;
        this.processPeriod = processPeriodNs;
    }

    /** The host with default periods (counters 100 ms, processes 1 s, top 8 processes by RSS). */
    public static NumaCollector forHost(IntUnaryOperator pidToUpid) throws IOException {
        return new NumaCollector(SysRoot.HOST, pidToUpid, null, ProcessNumaSampler.DEFAULT_LIMIT,
                NumaSampler.DEFAULT_PERIOD_NS, ProcessNumaSampler.DEFAULT_PERIOD_NS);
    }

    public NumaTopology topology() {
        return topology;
    }

    public NumaFeatures features() {
        return features;
    }

    public SysRoot root() {
        return root;
    }

    /** Writes the topology and the feature flags, and takes the first counter sample at {@code ts}. */
    public void start(long ts, TraceWriter w) throws IOException {
        topology.write(w);
        w.meta(features.meta());
        poll(ts, w);
    }

    /** Samples whatever is due at {@code now} (CLOCK_MONOTONIC ns); cheap when nothing is. */
    public void poll(long now, TraceWriter w) throws IOException {
        if (now >= nextCounter) {
            counters.sample(now, w);
            nextCounter = now + counterPeriod;
        }
        if (now >= nextProcess) {
            processes.sample(now, w);
            nextProcess = now + processPeriod;
        }
    }

    /** Takes a last sample of everything at {@code ts}, so that the recording ends on fresh values. */
    public void finish(long ts, TraceWriter w) throws IOException {
        counters.sample(ts, w);
        processes.sample(ts, w);
    }

    @Override
    public void close() throws IOException {
        counters.close();
    }
}
