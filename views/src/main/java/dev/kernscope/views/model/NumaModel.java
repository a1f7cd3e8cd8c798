package dev.kernscope.views.model;

import java.util.List;

/**
 * Everything the NUMA view shows, already aggregated by the app: topology, memory use, the cpu-node →
 * memory-node access matrix, counter series per node and pages per node per process. Immutable (the arrays are
 * not copied: do not change them after handing the model over); safe to read from any thread.
 *
 * @param nodes     NUMA nodes in id order
 * @param distances {@code distances[i][j]}: SLIT distance from node i to node j (10 = local)
 * @param access    {@code access[cpuNode][memNode]}: memory accesses (or faults / samples) counted
 * @param unplaced  {@code unplaced[cpuNode]}: remote accesses whose memory node is not known (in no column)
 * @param series    counter series, any number per node, on the trace time axis
 * @param processes pages per node per process
 */
public record NumaModel(List<Node> nodes, int[][] distances, long[][] access, long[] unplaced, List<Series> series,
                        List<ProcessPages> processes) {

    /** A model whose accesses all have a known memory node. */
    public NumaModel(List<Node> nodes, int[][] distances, long[][] access, List<Series> series, List<ProcessPages> processes) {
        this(nodes, distances, access, new long[access.length], series, processes);
    }

    /** Remote accesses with no memory node, over all CPU nodes. */
    public long unplacedTotal() {
        long t = 0;
        for (long u : unplaced) t += u;
        return t;
    }

    /** A NUMA node, its CPUs and memory in bytes. */
    public record Node(int id, int[] cpus, long memTotal, long memUsed) {}

    /** A named counter of one node sampled over time (e.g. {@code numa_hit}, {@code numa_miss}, migrations). */
    public record Series(int node, String name, long[] ts, double[] value) {}

    /** Resident pages of one process on each node ({@code pages[node]}). */
    public record ProcessPages(int upid, int pid, String name, long[] pages) {
        public long total() {
            long t = 0;
            for (long p : pages) t += p;
            return t;
        }
    }

    /** Share of accesses that hit the accessing CPU's own node, in [0, 1]; NaN when there are none. */
    public double localRatio() {
        long local = 0, all = unplacedTotal();
        for (int i = 0; i < access.length; i++) {
            for (int j = 0; j < access[i].length; j++) {
                all += access[i][j];
                if (i == j) local += access[i][j];
            }
        }
        return all == 0 ? Double.NaN : (double) local / all;
    }
}
