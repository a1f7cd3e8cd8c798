package dev.kernscope.storage;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Typed NUMA queries over a trace: the node × node access matrix from hinting faults, counter series with
 * level of detail, pages per node of processes, cross-node task migrations, balancing decisions and page
 * migrations. Windows are half-open {@code [from, to)} in trace ns.
 *
 * <p>Thread-safe: every query holds the {@link TraceReader}'s lock, like the reader's own queries.
 */
public final class NumaQueries {
    private final TraceReader reader;

    public NumaQueries(TraceReader reader) {
        this.reader = reader;
    }

    // --- records --------------------------------------------------------------------------------------------

    /**
     * Pages touched by hinting faults, {@code pages[i][j]} from CPUs of {@code nodes[i]} to memory of
     * {@code nodes[j]}; {@code nodes} is every node of the trace in ascending order.
     */
    /**
     * Hinting-fault pages by CPU node (row) and memory node (column), in {@code nodes} order. A fault that
     * migrated its page (TNF_MIGRATED) was a remote access: the kernel reports the page's new node, so it is
     * counted in the column of the node the page came from, which on two nodes is the other one; with more
     * nodes that node is not recorded and the pages are in {@code unplaced[row]} instead, counted as remote
     * (balancing moves pages towards the faulting CPU's node).
     */
    public record AccessMatrix(int[] nodes, long[][] pages, long[] unplaced, long local, long remote) {
        /** Local pages over all pages; NaN when there were no faults. */
        public double localRatio() {
            long all = local + remote;
            return all == 0 ? Double.NaN : (double) local / all;
        }

        public long total() {
            return local + remote;
        }
    }

    /** A counter of one node ({@code node} -1 = machine-wide) that the trace has samples of. */
    public record CounterKey(int node, String name) {}

    /**
     * Samples of one counter, at most the requested number of points: each point stands for a bucket and
     * carries its last sample's time and value, the sum of the deltas in the bucket and their mean rate.
     */
    public record CounterSeries(int node, String name, long[] ts, long[] value, long[] delta, double[] rate) {
        public int size() {
            return ts.length;
        }
    }

    /** Pages of one process resident on one node at sample time {@code ts}. */
    public record ProcessNodePages(int upid, int pid, String name, int node, long ts, long pages) {}

    /** A task migration between CPUs of different nodes. */
    public record NodeMigration(long ts, int utid, int origCpu, int destCpu, int origNode, int destNode) {}

    /** A NUMA balancing decision; {@code utid} 0 when the task was unknown. */
    public record Decision(long ts, String kind, int utid, int srcCpu, int srcNid, int dstCpu, int dstNid) {}

    /** A batch of page migrations ({@code reason} 5 = MR_NUMA_MISPLACED on 6.x kernels). */
    public record PageMigration(long ts, long succeeded, long failed, int reason, int mode) {}

    /** A NUMA hinting fault. */
    public record Fault(long ts, int utid, int cpu, int cpuNode, int memNode, int pages, int flags) {}

    // --- access matrix --------------------------------------------------------------------------------------

    /** The access matrix of all threads in the window. */
    public AccessMatrix accessMatrix(long from, long to) throws IOException {
        return matrix("SELECT cpu_node, mem_node, flags & 1, sum(pages) FROM numa_fault WHERE ts >= ? AND ts < ? "
                + "GROUP BY 1, 2, 3", from, to, 0);
    }

    /** The access matrix of one thread. */
    public AccessMatrix accessMatrixOfThread(long from, long to, int utid) throws IOException {
        return matrix("SELECT cpu_node, mem_node, flags & 1, sum(pages) FROM numa_fault WHERE ts >= ? AND ts < ? AND utid = ? "
                + "GROUP BY 1, 2, 3", from, to, utid);
    }

    /** The access matrix of all threads of one process. */
    public AccessMatrix accessMatrixOfProcess(long from, long to, int upid) throws IOException {
        return matrix("SELECT f.cpu_node, f.mem_node, f.flags & 1, sum(f.pages) FROM numa_fault f JOIN thread t ON t.utid = f.utid "
                + "WHERE f.ts >= ? AND f.ts < ? AND t.upid = ? GROUP BY 1, 2, 3", from, to, upid);
    }

    private AccessMatrix matrix(String sql, long from, long to, int key) throws IOException {
        synchronized (reader) {
            try {
                int[] nodes = nodesLocked();
                long[][] pages = new long[nodes.length][nodes.length];
                long[] unplaced = new long[nodes.length];
                long local = 0, remote = 0;
                PreparedStatement ps = reader.stmt(sql);
                ps.setLong(1, from);
                ps.setLong(2, to);
                if (key != 0) ps.setInt(3, key);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int src = rs.getInt(1), dst = rs.getInt(2);
                        boolean migrated = rs.getInt(3) != 0;
                        long n = rs.getLong(4);
                        int i = Arrays.binarySearch(nodes, src), j = Arrays.binarySearch(nodes, dst);
                        if (migrated) { // dst is where the page went; it was touched where it came from
                            if (nodes.length == 2 && i >= 0 && j >= 0) {
                                pages[i][1 - j] += n;
                                if (i == 1 - j) local += n; else remote += n;
                            } else {
                                remote += n; // typically moved to the CPU's node from another one
                                if (i >= 0) unplaced[i] += n;
                            }
                            continue;
                        }
                        if (src == dst) local += n; else remote += n;
                        if (i >= 0 && j >= 0) pages[i][j] += n;
                    }
                }
                return new AccessMatrix(nodes, pages, unplaced, local, remote);
            } catch (SQLException e) {
                throw TraceReader.queryError("NUMA access matrix", e);
            }
        }
    }

    private int[] nodesLocked() throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (ResultSet rs = reader.stmt("SELECT node FROM numa_node UNION SELECT node FROM cpu ORDER BY 1").executeQuery()) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        if (out.isEmpty()) out.add(0);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    // --- counters -------------------------------------------------------------------------------------------

    /** Every (node, counter) the trace has samples of, by node then name. */
    public List<CounterKey> counterKeys() throws IOException {
        synchronized (reader) {
            List<CounterKey> out = new ArrayList<>();
            try (ResultSet rs = reader.stmt("SELECT DISTINCT node, name FROM numa_counter ORDER BY node, name").executeQuery()) {
                while (rs.next()) out.add(new CounterKey(rs.getInt(1), rs.getString(2)));
            } catch (SQLException e) {
                throw TraceReader.queryError("NUMA counter names", e);
            }
            return out;
        }
    }

    /**
     * The samples of counter {@code name} of {@code node} in the window, reduced to at most
     * {@code maxPoints} buckets of equal width (each: last time and value, summed delta, mean rate).
     */
    public CounterSeries counterSeries(int node, String name, long from, long to, int maxPoints) throws IOException {
        if (maxPoints < 1) throw new IllegalArgumentException("maxPoints must be at least 1");
        long width = Math.max(1, (to - from + maxPoints - 1) / maxPoints);
        synchronized (reader) {
            // SQLite fills the bare column 'value' from the row that max(ts) picks: the bucket's last sample.
            PreparedStatement ps;
            try {
                ps = reader.stmt("SELECT max(ts), value, sum(delta), avg(rate) FROM numa_counter "
                        + "WHERE node = ? AND name = ? AND ts >= ? AND ts < ? GROUP BY (ts - ?) / ? ORDER BY 1");
                ps.setInt(1, node);
                ps.setString(2, name);
                ps.setLong(3, from);
                ps.setLong(4, to);
                ps.setLong(5, from);
                ps.setLong(6, width);
                LongList ts = new LongList(), value = new LongList(), delta = new LongList();
                double[] rate = new double[16];
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (ts.size == rate.length) rate = Arrays.copyOf(rate, rate.length * 2);
                        rate[ts.size] = rs.getDouble(4);
                        ts.add(rs.getLong(1));
                        value.add(rs.getLong(2));
                        delta.add(rs.getLong(3));
                    }
                }
                return new CounterSeries(node, name, ts.toArray(), value.toArray(), delta.toArray(),
                        Arrays.copyOf(rate, ts.size));
            } catch (SQLException e) {
                throw TraceReader.queryError("NUMA counter series " + name, e);
            }
        }
    }

    /** The sum of the deltas of a counter in the window (e.g. pages migrated during it). */
    public long counterIncrease(int node, String name, long from, long to) throws IOException {
        synchronized (reader) {
            try {
                PreparedStatement ps = reader.stmt("SELECT coalesce(sum(delta), 0) FROM numa_counter "
                        + "WHERE node = ? AND name = ? AND ts >= ? AND ts < ?");
                ps.setInt(1, node);
                ps.setString(2, name);
                ps.setLong(3, from);
                ps.setLong(4, to);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("NUMA counter increase " + name, e);
            }
        }
    }

    // --- processes ------------------------------------------------------------------------------------------

    /**
     * Per process and node, the latest sample in the window: one row per (upid, node), by upid then node.
     */
    public List<ProcessNodePages> processPages(long from, long to) throws IOException {
        return reader.list("process NUMA pages", "SELECT s.upid, coalesce(p.pid, 0), p.name, s.node, max(s.ts), s.pages "
                + "FROM process_numa_pages s LEFT JOIN process p ON p.upid = s.upid "
                + "WHERE s.ts >= ? AND s.ts < ? GROUP BY s.upid, s.node ORDER BY s.upid, s.node", NumaQueries::pages, from, to);
    }

    /** Every sample of one process in the window, by time then node. */
    public List<ProcessNodePages> processPagesSeries(int upid, long from, long to) throws IOException {
        return reader.list("process NUMA pages", "SELECT s.upid, coalesce(p.pid, 0), p.name, s.node, s.ts, s.pages "
                + "FROM process_numa_pages s LEFT JOIN process p ON p.upid = s.upid "
                + "WHERE s.upid = ? AND s.ts >= ? AND s.ts < ? ORDER BY s.ts, s.node", NumaQueries::pages, upid, from, to);
    }

    private static ProcessNodePages pages(ResultSet rs) throws SQLException {
        return new ProcessNodePages(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getInt(4), rs.getLong(5), rs.getLong(6));
    }

    // --- events ---------------------------------------------------------------------------------------------

    /** Task migrations whose source and destination CPUs are on different nodes, by time. */
    public List<NodeMigration> crossNodeMigrations(long from, long to) throws IOException {
        return reader.list("cross-node migrations", "SELECT m.ts, m.utid, m.orig_cpu, m.dest_cpu, a.node, b.node "
                + "FROM migration m JOIN cpu a ON a.cpu = m.orig_cpu JOIN cpu b ON b.cpu = m.dest_cpu "
                + "WHERE m.ts >= ? AND m.ts < ? AND a.node <> b.node ORDER BY m.ts",
                rs -> new NodeMigration(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6)),
                from, to);
    }

    /** NUMA balancing decisions in the window, by time. */
    public List<Decision> decisions(long from, long to) throws IOException {
        return reader.list("NUMA decisions", "SELECT ts, kind, coalesce(utid, 0), coalesce(src_cpu, -1), "
                + "coalesce(src_nid, -1), coalesce(dst_cpu, -1), coalesce(dst_nid, -1) FROM numa_decision "
                + "WHERE ts >= ? AND ts < ? ORDER BY ts",
                rs -> new Decision(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                        rs.getInt(7)), from, to);
    }

    /** Page migration batches in the window, by time. */
    public List<PageMigration> pageMigrations(long from, long to) throws IOException {
        return reader.list("page migrations", "SELECT ts, succeeded, failed, reason, mode FROM page_migration "
                + "WHERE ts >= ? AND ts < ? ORDER BY ts",
                rs -> new PageMigration(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getInt(5)), from, to);
    }

    /** Hinting faults in the window, by time; {@code utid} 0 for all threads. */
    public List<Fault> faults(long from, long to, int utid) throws IOException {
        return reader.list("NUMA faults", "SELECT ts, utid, cpu, cpu_node, mem_node, pages, flags FROM numa_fault "
                + "WHERE ts >= ? AND ts < ? AND (? = 0 OR utid = ?) ORDER BY ts",
                rs -> new Fault(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                        rs.getInt(7)), from, to, utid, utid);
    }

    /** A growable long array, so series do not box. */
    private static final class LongList {
        long[] a = new long[16];
        int size;

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
