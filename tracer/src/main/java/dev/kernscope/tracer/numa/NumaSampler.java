package dev.kernscope.tracer.numa;

import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Samples the NUMA counters: per node {@code numastat} (numa_hit, numa_miss, numa_foreign, interleave_hit,
 * local_node, other_node) and {@code meminfo} (MemTotal, MemFree, MemUsed, FilePages, AnonPages), and the
 * machine-wide NUMA and migration counters of {@code /proc/vmstat} (node -1). Each sample writes one
 * {@code numa_counter} row per counter with value, delta and rate. Files stay open and buffers are reused,
 * so a sample at 10 Hz allocates nothing of its own.
 *
 * <p>Not thread-safe: call {@link #sample} from the thread that owns the {@link TraceWriter}.
 */
public final class NumaSampler implements AutoCloseable {
    /** Default sampling period. */
    public static final long DEFAULT_PERIOD_NS = 100_000_000L;

    private static final Set<String> MEMINFO = Set.of("MemTotal", "MemFree", "MemUsed", "FilePages", "AnonPages");
    private static final Predicate<String> VMSTAT = n -> n.startsWith("numa_") || n.startsWith("pgmigrate_")
            || n.startsWith("thp_migration_") || n.startsWith("pgpromote_") || n.startsWith("pgdemote_");

    private final List<CounterFile> files = new ArrayList<>();
    private final int[] fileNode;
    private long lastTs = Long.MIN_VALUE;

    public NumaSampler(SysRoot root, NumaTopology topology) {
        List<Integer> nodes = new ArrayList<>();
        for (NumaTopology.Node n : topology.nodes()) {
            String dir = "sys/devices/system/node/node" + n.node() + "/";
            files.add(new CounterFile(root.path(dir + "numastat"), CounterFile.Format.PLAIN, name -> true));
            nodes.add(n.node());
            files.add(new CounterFile(root.path(dir + "meminfo"), CounterFile.Format.NODE_MEMINFO, MEMINFO::contains));
            nodes.add(n.node());
        }
        files.add(new CounterFile(root.proc("vmstat"), CounterFile.Format.PLAIN, VMSTAT));
        nodes.add(-1);
        fileNode = nodes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Reads every counter file and writes their rows at {@code ts} (CLOCK_MONOTONIC ns; the rate divides
     * by the time since the previous sample). A file that cannot be read is skipped.
     */
    public void sample(long ts, TraceWriter w) throws IOException {
        double seconds = lastTs == Long.MIN_VALUE ? 0 : (ts - lastTs) / 1e9;
        lastTs = ts;
        for (int f = 0; f < files.size(); f++) {
            CounterFile cf = files.get(f);
            if (!cf.read()) continue;
            int node = fileNode[f];
            for (int i = 0; i < cf.size(); i++) {
                if (!cf.present(i)) continue;
                long delta = cf.delta(i);
                w.numaCounter(ts, node, cf.name(i), cf.value(i), delta, seconds > 0 ? delta / seconds : 0.0);
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (CounterFile cf : files) cf.close();
    }
}
