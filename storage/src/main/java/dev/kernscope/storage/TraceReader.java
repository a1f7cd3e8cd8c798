package dev.kernscope.storage;

import dev.kernscope.storage.Model.Cpu;
import dev.kernscope.storage.Model.Distance;
import dev.kernscope.storage.Model.LostEvents;
import dev.kernscope.storage.Model.Migration;
import dev.kernscope.storage.Model.NumaNode;
import dev.kernscope.storage.Model.Summary;
import dev.kernscope.storage.Model.ThreadName;
import dev.kernscope.storage.Model.ThreadSummary;
import dev.kernscope.storage.Model.Wakeup;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Reads a {@code .ktrace} file through typed queries; no SQL leaves the storage module. Opening validates the
 * file first ({@link TraceFile}: a regular file, our exact schema, sane meta and topology); slice and
 * run-queue windows live in {@link SliceQueries}, per-thread queries in {@link ThreadQueries}, flame graphs in
 * {@link FlameQueries} and NUMA in {@link NumaQueries}, all over this reader's connection. Values that
 * contradict the trace's own ranges fail as {@link TraceFormatException} ("… is damaged: …"). Works on files
 * that are still being recorded (WAL): each query sees the latest commit.
 *
 * <p>Thread-safe: queries are serialized on one connection.
 */
public final class TraceReader implements AutoCloseable {
    /** Tables every trace of schema version 1 has. */
    static final List<String> TABLES = List.of("meta", "cpu", "numa_node", "numa_distance", "process", "thread",
            "thread_name", "sched_slice", "_slice_chunk", "_slice_lod", "_runq_lod", "wakeup", "migration", "runq_sample", "lost_events",
            "frame", "stack", "stack_sample", "numa_counter", "numa_fault", "numa_decision", "page_migration",
            "process_numa_pages", "tracer_cost", "bpf_prog_stats", "mapping");
    /** Tables of {@code schema.sql} added since schema version 1 was first written: older files lack them. */
    static final List<String> LATER_TABLES = List.of("frame_mangled");

    private final Path path;
    private final String name;
    private final Connection conn;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final Map<String, String> meta;
    private final SliceQueries slices;
    private final ThreadQueries threadQueries;

    private TraceReader(Path path, TraceFile.Checked file) {
        this.path = path;
        this.name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        this.conn = file.conn();
        this.meta = file.meta();
        this.slices = new SliceQueries(this, new TraceRanges(this));
        this.threadQueries = new ThreadQueries(this);
    }

    /** Opens a trace read-only. */
    public static TraceReader open(Path path) throws IOException {
        return open(path, true);
    }

    /**
     * Opens a trace, checking that it is an undamaged kernscope trace of a schema version this build reads.
     *
     * @throws TraceFormatException with a one-sentence message for the user when it is not
     */
    public static TraceReader open(Path path, boolean readOnly) throws IOException {
        return new TraceReader(path, TraceFile.open(path, readOnly));
    }

    /** "{@code file} is damaged: {@code what}", for a value that contradicts the trace's own ranges. */
    TraceFormatException damaged(String what) {
        return new TraceFormatException(name + " is damaged: " + what);
    }

    public Path path() {
        return path;
    }

    /** The meta table as read at open time. */
    public Map<String, String> meta() {
        return meta;
    }

    /** The meta table as it is now (a live recording updates end_ts and end_reason at its end). */
    public synchronized Map<String, String> freshMeta() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try (ResultSet rs = stmt("SELECT key, value FROM meta").executeQuery()) {
            while (rs.next()) m.put(rs.getString(1), rs.getString(2));
        } catch (SQLException e) {
            throw queryError("meta", e);
        }
        return m;
    }

    /** True while the file is being recorded (its end_reason is still 'recording'). */
    public boolean isLive() throws IOException {
        return "recording".equals(freshMeta().get("end_reason"));
    }

    /**
     * True when the file says "recording" but no recorder holds its {@link RecorderLock}: the recorder died
     * (SIGKILL, the OOM killer, a logout) before it could finish the file; {@link TraceRecovery} finishes it.
     */
    public boolean recorderDied() throws IOException {
        return isLive() && !RecorderLock.isHeld(path);
    }

    /**
     * The latest committed event's time, the latest slice end or tracer cost sample (Long.MIN_VALUE if none):
     * for a recording whose recorder died, about when it died.
     */
    public synchronized long lastCommittedTs() throws IOException {
        try (ResultSet rs = stmt("SELECT max(t) FROM (SELECT max(end_ts) AS t FROM _slice_chunk "
                + "UNION ALL SELECT max(ts) FROM tracer_cost)").executeQuery()) {
            return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : Long.MIN_VALUE;
        } catch (SQLException e) {
            throw queryError("the last event", e);
        }
    }

    /** Whether the file has table {@code name}: tables added since the first schema are absent from older traces. */
    boolean hasTable(String name) throws SQLException {
        PreparedStatement ps = stmt("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    /** The connection, for the query classes of this package. */
    Connection connection() {
        return conn;
    }

    /** A cached prepared statement, for the query classes of this package; callers hold the reader's lock. */
    PreparedStatement stmt(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = conn.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /**
     * What a failed query becomes: damage SQLite notices only when a query reaches it (a malformed page, a
     * value over the length limit) is a {@link TraceFormatException}; anything else (a busy live file) stays
     * an IOException.
     */
    static IOException queryError(String what, SQLException e) {
        String msg = TraceFile.oneLine(String.valueOf(e.getMessage()));
        if (msg.contains("CORRUPT") || msg.contains("malformed") || msg.contains("TOOBIG") || msg.contains("too big")
                || msg.contains("NOTADB") || msg.contains("MISMATCH")) {
            return new TraceFormatException("the trace is damaged: query " + what + " failed (" + msg + ")", e);
        }
        return new IOException("query " + what + " failed: " + msg, e);
    }

    // --- topology -------------------------------------------------------------------------------------------

    public synchronized List<Cpu> cpus() throws IOException {
        List<Cpu> out = new ArrayList<>();
        try (ResultSet rs = stmt("SELECT cpu, node, online FROM cpu ORDER BY cpu").executeQuery()) {
            while (rs.next()) out.add(new Cpu(rs.getInt(1), rs.getInt(2), rs.getInt(3) != 0));
        } catch (SQLException e) {
            throw queryError("cpus", e);
        }
        return out;
    }

    public synchronized List<NumaNode> numaNodes() throws IOException {
        List<NumaNode> out = new ArrayList<>();
        try (ResultSet rs = stmt("SELECT node, mem_bytes, cpus FROM numa_node ORDER BY node").executeQuery()) {
            while (rs.next()) out.add(new NumaNode(rs.getInt(1), rs.getLong(2), rs.getString(3)));
        } catch (SQLException e) {
            throw queryError("numa nodes", e);
        }
        return out;
    }

    public synchronized List<Distance> numaDistances() throws IOException {
        List<Distance> out = new ArrayList<>();
        try (ResultSet rs = stmt("SELECT src, dst, distance FROM numa_distance ORDER BY src, dst").executeQuery()) {
            while (rs.next()) out.add(new Distance(rs.getInt(1), rs.getInt(2), rs.getInt(3)));
        } catch (SQLException e) {
            throw queryError("numa distances", e);
        }
        return out;
    }

    // --- processes and threads ------------------------------------------------------------------------------

    public synchronized List<Model.Process> processes() throws IOException {
        List<Model.Process> out = new ArrayList<>();
        try (ResultSet rs = stmt("SELECT upid, pid, name, cmdline, parent_upid, start_ts, end_ts FROM process ORDER BY upid")
                .executeQuery()) {
            while (rs.next()) {
                out.add(new Model.Process(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        intOrNull(rs, 5), longOrNull(rs, 6), longOrNull(rs, 7)));
            }
        } catch (SQLException e) {
            throw queryError("processes", e);
        }
        return out;
    }

    public synchronized List<Model.Thread> threads() throws IOException {
        List<Model.Thread> out = new ArrayList<>();
        try (ResultSet rs = stmt("SELECT t.utid, t.tid, coalesce(t.upid, 0), coalesce(p.pid, 0), t.name, p.name, "
                + "t.start_ts, t.end_ts FROM thread t LEFT JOIN process p USING (upid) ORDER BY t.utid").executeQuery()) {
            while (rs.next()) {
                out.add(new Model.Thread(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getString(5),
                        rs.getString(6), longOrNull(rs, 7), longOrNull(rs, 8)));
            }
        } catch (SQLException e) {
            throw queryError("threads", e);
        }
        return out;
    }

    /** Name history of a thread, oldest first. */
    public synchronized List<ThreadName> threadNames(int utid) throws IOException {
        List<ThreadName> out = new ArrayList<>();
        try {
            PreparedStatement ps = stmt("SELECT utid, ts, name FROM thread_name WHERE utid = ? ORDER BY ts");
            ps.setInt(1, utid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new ThreadName(rs.getInt(1), rs.getLong(2), rs.getString(3)));
            }
        } catch (SQLException e) {
            throw queryError("thread names", e);
        }
        return out;
    }

    static Long longOrNull(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }


    static Integer intOrNull(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    // --- time -------------------------------------------------------------------------------------------------

    /**
     * The trace's time bounds {start, end}: from meta when the recording has ended, else from the data
     * (the latest slice end), so that a live trace's end moves forward.
     */
    public synchronized long[] bounds() throws IOException {
        Map<String, String> m = freshMeta();
        long start = parse(m.get("start_ts"), Long.MIN_VALUE);
        long end = parse(m.get("end_ts"), Long.MIN_VALUE);
        try {
            if (start == Long.MIN_VALUE || end == Long.MIN_VALUE) {
                long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
                for (Cpu c : cpus()) {
                    PreparedStatement first = stmt("SELECT ts FROM _slice_chunk WHERE cpu = ? ORDER BY ts LIMIT 1");
                    first.setInt(1, c.cpu());
                    try (ResultSet rs = first.executeQuery()) {
                        if (rs.next()) lo = Math.min(lo, rs.getLong(1));
                    }
                    PreparedStatement last = stmt("SELECT end_ts FROM _slice_chunk WHERE cpu = ? ORDER BY ts DESC LIMIT 1");
                    last.setInt(1, c.cpu());
                    try (ResultSet rs = last.executeQuery()) {
                        if (rs.next()) hi = Math.max(hi, rs.getLong(1));
                    }
                }
                if (start == Long.MIN_VALUE) start = lo == Long.MAX_VALUE ? 0 : lo;
                if (end == Long.MIN_VALUE) end = Math.max(start, hi == Long.MIN_VALUE ? start : hi);
            }
        } catch (SQLException e) {
            throw queryError("bounds", e);
        }
        return new long[] {start, end};
    }

    static long parse(String s, long dflt) {
        if (s == null) return dflt;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }


    // --- slices and run queues (SliceQueries) -----------------------------------------------------------------

    /** Every slice of {@code cpu} that overlaps [from, to), in start order. */
    public SliceBlock slices(int cpu, long from, long to) throws IOException {
        return slices.slices(cpu, from, to);
    }

    /**
     * Every slice of one thread, on any CPU, that overlaps [from, to), in start order; {@code cpu} of the block
     * is -1. Uses the (utid, ts) index of a finished trace; on a live one it scans the window.
     */
    public SliceBlock threadSlices(int utid, long from, long to) throws IOException {
        return slices.threadSlices(utid, from, to);
    }

    /**
     * The LOD level a viewport at {@code nsPerPixel} reads: the coarsest whose bucket is at most two pixels
     * wide, or -1 for raw slices when even level 0 is too coarse.
     */
    public static int lodLevel(double nsPerPixel) {
        return SliceQueries.lodLevel(nsPerPixel);
    }

    /**
     * Level-of-detail slices of {@code cpu} over [from, to) for a viewport at {@code nsPerPixel}: at most one
     * representative row per pixel, whatever the number of slices (Perfetto's mipmap). It reads the mipmap
     * level whose buckets are at most two pixels wide (or raw slices when zoomed in further), then merges
     * rows that start in the same pixel. Rows with {@code cnt > 1} merge several slices; their
     * {@code endState} is -2 and their thread is the one with the most running time among the merged rows.
     */
    public SliceBlock slicesLod(int cpu, long from, long to, double nsPerPixel) throws IOException {
        return slices.slicesLod(cpu, from, to, nsPerPixel);
    }

    /** Run-queue length samples of one CPU: {ts[], len[]} with the sample in force at {@code from} first. */
    public RunqSeries runq(int cpu, long from, long to) throws IOException {
        return slices.runq(cpu, from, to);
    }

    /**
     * Run-queue lengths of one CPU for a viewport at {@code nsPerPixel}: at most one point per mipmap bucket
     * (the bucket's longest queue), plus the length in force at {@code from}; raw samples when zoomed in.
     */
    public RunqSeries runqLod(int cpu, long from, long to, double nsPerPixel) throws IOException {
        return slices.runqLod(cpu, from, to, nsPerPixel);
    }


    // --- events -----------------------------------------------------------------------------------------------

    /** Maps the current row of a result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code sql} with {@code params} bound in order and maps every row, in the query's order;
     * {@code what} names the query in the error a failure becomes.
     */
    synchronized <T> List<T> list(String what, String sql, RowMapper<T> row, Object... params) throws IOException {
        List<T> out = new ArrayList<>();
        try {
            PreparedStatement ps = stmt(sql);
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row.map(rs));
            }
        } catch (SQLException e) {
            throw queryError(what, e);
        }
        return out;
    }

    public synchronized List<Migration> migrations(long from, long to) throws IOException {
        return list("migrations", "SELECT ts, utid, orig_cpu, dest_cpu FROM migration WHERE ts >= ? AND ts < ? ORDER BY ts",
                rs -> new Migration(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)), from, to);
    }

    /** Run-queue samples as parallel arrays. */
    public static final class RunqSeries {
        public long[] ts = new long[64];
        public int[] len = new int[64];
        public int size;

        void add(long t, int l) {
            if (size == ts.length) {
                ts = Arrays.copyOf(ts, size * 2);
                len = Arrays.copyOf(len, size * 2);
            }
            ts[size] = t;
            len[size++] = l;
        }
    }

    public synchronized List<LostEvents> lostEvents(long from, long to) throws IOException {
        return list("lost events", "SELECT ts, cpu, source, count FROM lost_events WHERE ts >= ? AND ts < ? ORDER BY ts",
                rs -> new LostEvents(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getLong(4)), from, to);
    }

    /** What the recorder lost, by cause and CPU, and what was offered; see {@link Model.Losses}. */
    public synchronized Model.Losses losses() throws IOException {
        Map<String, Long> bySource = new java.util.TreeMap<>();
        Map<Integer, Long> byCpu = new java.util.TreeMap<>();
        long lost = 0, truncated = 0, recorded = 0;
        try {
            try (ResultSet rs = stmt("SELECT source, cpu, sum(count) FROM lost_events GROUP BY source, cpu").executeQuery()) {
                while (rs.next()) {
                    String source = rs.getString(1);
                    long n = rs.getLong(3);
                    if ("stack_truncated".equals(source)) {
                        truncated += n;
                        continue;
                    }
                    lost += n;
                    bySource.merge(source, n, Long::sum);
                    byCpu.merge(rs.getInt(2), n, Long::sum);
                }
            }
            // scheduler events decoded (the recorder's cumulative count) and stack samples written
            try (ResultSet rs = stmt("SELECT coalesce(max(events), 0) FROM tracer_cost").executeQuery()) {
                if (rs.next()) recorded += rs.getLong(1);
            }
            long samples = parse(freshMeta().get("rows.stack_sample"), -1);
            if (samples < 0) {
                try (ResultSet rs = stmt("SELECT count(*) FROM stack_sample").executeQuery()) {
                    samples = rs.next() ? rs.getLong(1) : 0;
                }
            }
            recorded += samples;
        } catch (SQLException e) {
            throw queryError("lost events", e);
        }
        return new Model.Losses(lost, recorded + lost, truncated, bySource, byCpu);
    }

    /** The recorder's latest self-measurement (cumulative), or null when the trace has none. */
    public synchronized Model.TracerCost latestTracerCost() throws IOException {
        try (ResultSet rs = stmt("SELECT ts, cpu_time_ns, rss_bytes, events, lost FROM tracer_cost "
                + "ORDER BY ts DESC LIMIT 1").executeQuery()) {
            return rs.next() ? new Model.TracerCost(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                    rs.getLong(5)) : null;
        } catch (SQLException e) {
            throw queryError("tracer cost", e);
        }
    }

    // --- threads (ThreadQueries) ------------------------------------------------------------------------------

    /** Runnable intervals of one thread that start in [from, to), oldest first. */
    public List<Wakeup> wakeups(int utid, long from, long to) throws IOException {
        return threadQueries.wakeups(utid, from, to);
    }

    /** All runnable intervals that start in [from, to), by time. */
    public List<Wakeup> wakeups(long from, long to) throws IOException {
        return threadQueries.wakeups(from, to);
    }

    /**
     * Wakeup→run latencies (ns) of the wakeups (not preemptions) in [from, to) that ran, of the threads
     * {@code utids} accepts, in no particular order: streamed into a primitive array, where {@link #wakeups}
     * would build an object per row (millions over a heavy recording).
     */
    public long[] wakeupLatencies(long from, long to, IntPredicate utids) throws IOException {
        return threadQueries.wakeupLatencies(from, to, utids);
    }

    /**
     * Per-thread summary over [from, to) for every thread that ran, waited or migrated in it, ordered by
     * runtime (largest first). Latency percentiles use the nearest-rank method.
     */
    public List<ThreadSummary> threadSummaries(long from, long to) throws IOException {
        return threadQueries.threadSummaries(from, to, wide(from, to));
    }

    /** As {@link #threadSummaries(long, long)}; {@code wide} picks the plan (tests compare both). */
    List<ThreadSummary> threadSummaries(long from, long to, boolean wide) throws IOException {
        return threadQueries.threadSummaries(from, to, wide);
    }

    /** Nearest-rank percentile of sorted values: the value at rank ceil(p/100 * n); 0 when empty. */
    public static long percentile(long[] sorted, int p) {
        return ThreadQueries.percentile(sorted, p);
    }

    /**
     * Whether [from, to) covers a quarter of the trace or more: then a query reads a table straight through
     * rather than through its ts index, which costs a second B-tree lookup per row (SQLite cannot tell from
     * bound parameters how much of the table a range covers, and always takes the index).
     */
    synchronized boolean wide(long from, long to) throws IOException {
        long[] b = bounds();
        return Math.min(to, b[1]) - Math.max(from, b[0]) >= (b[1] - b[0]) / 4;
    }

    /** The longest slice so far (the writer keeps meta('max_slice_dur') current), to bound ts-range scans. */
    long maxSliceDur() throws IOException {
        return parse(freshMeta().get("max_slice_dur"), Long.MAX_VALUE / 4);
    }

    // --- whole-trace summary ------------------------------------------------------------------------------

    /** What {@code kernscope info} prints: bounds, topology size, row counts per table, lost events. */
    public synchronized Summary summary() throws IOException {
        Map<String, String> m = freshMeta();
        long[] b = bounds();
        Map<String, Long> counts = new LinkedHashMap<>();
        long lost = 0;
        try {
            for (String t : TABLES) {
                if (t.equals("meta")) continue;
                long known = parse(m.get("rows." + t), -1); // written at finish for the append-only tables
                if (known >= 0) {
                    counts.put(t, known);
                    continue;
                }
                try (ResultSet rs = stmt("SELECT count(*) FROM " + t).executeQuery()) {
                    counts.put(t, rs.next() ? rs.getLong(1) : 0);
                }
            }
            try (ResultSet rs = stmt("SELECT coalesce(sum(count), 0) FROM lost_events").executeQuery()) {
                if (rs.next()) lost = rs.getLong(1);
            }
        } catch (SQLException e) {
            throw queryError("summary", e);
        }
        int cpus = (int) parse(m.get("cpu_count"), counts.get("cpu"));
        int nodes = (int) parse(m.get("numa_node_count"), counts.get("numa_node"));
        return new Summary(b[0], b[1], cpus, nodes, m.getOrDefault("end_reason", "unknown"),
                "1".equals(m.get("synthetic")), counts, lost, m);
    }

    /**
     * Interrupts the query running on this reader, if any (from another thread: it does not wait for the reader's
     * lock): its method fails with an IOException soon after. Queries started later are not affected.
     */
    public void interrupt() {
        try {
            conn.unwrap(org.sqlite.SQLiteConnection.class).getDatabase().interrupt();
        } catch (SQLException e) {
            // closed already: nothing runs
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            for (PreparedStatement ps : statements.values()) ps.close();
            conn.close();
        } catch (SQLException e) {
            throw new IOException("cannot close " + path + ": " + e.getMessage(), e);
        }
    }
}
