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
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a {@code .ktrace} file through typed queries; no SQL leaves the storage module. Opens read-only with
 * {@code trusted_schema=OFF} by default and checks on open that the file is a kernscope trace this build
 * understands. Works on files that are still being recorded (WAL): each query sees the latest commit.
 *
 * <p>Thread-safe: queries are serialized on one connection.
 */
public final class TraceReader implements AutoCloseable {
    /** Tables every trace of schema version 1 has. */
    static final List<String> TABLES = List.of("meta", "cpu", "numa_node", "numa_distance", "process", "thread",
            "thread_name", "sched_slice", "_slice_chunk", "_slice_lod", "_runq_lod", "wakeup", "migration", "runq_sample", "lost_events",
            "frame", "stack", "stack_sample", "numa_counter", "numa_fault", "numa_decision", "page_migration",
            "process_numa_pages", "tracer_cost", "bpf_prog_stats", "mapping");

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Path path;
    private final Connection conn;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final Map<String, String> meta;

    private TraceReader(Path path, Connection conn, Map<String, String> meta) {
        this.path = path;
        this.conn = conn;
        this.meta = meta;
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
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (!Files.exists(path)) throw new TraceFormatException(path + ": no such file");
        if (Files.isDirectory(path)) throw new TraceFormatException(path + " is a folder, not a trace file");
        if (!Files.isReadable(path)) throw new TraceFormatException("cannot read " + path + ": permission denied");
        checkHeader(path, name);
        Connection conn = null;
        try {
            Properties props = new Properties();
            if (readOnly) props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
            conn = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath(), props);
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA trusted_schema = OFF");
                st.execute("PRAGMA query_only = " + (readOnly ? "ON" : "OFF"));
                st.execute("PRAGMA cache_size = -65536");
            }
            Map<String, String> meta = readMeta(conn, name);
            checkMeta(meta, name);
            checkTables(conn, name);
            return new TraceReader(path, conn, meta);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw damaged(name, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(conn);
            throw e;
        }
    }

    private static void checkHeader(Path path, String name) throws IOException {
        long size = Files.size(path);
        byte[] head = new byte[100];
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
            int n = f.read(head);
            if (n < 100 || !Arrays.equals(Arrays.copyOf(head, 16), SQLITE_MAGIC)) {
                throw new TraceFormatException(name + " is not a kernscope trace: it is not an SQLite database");
            }
        }
        int pageSize = ((head[16] & 0xff) << 8) | (head[17] & 0xff);
        if (pageSize == 1) pageSize = 65536;
        long pages = readInt(head, 28);
        boolean countValid = readInt(head, 24) == readInt(head, 92) && pages > 0;
        Path wal = Path.of(path + "-wal");
        boolean walHasData = Files.exists(wal) && Files.size(wal) > 0;
        if (countValid && !walHasData && size < pages * pageSize) {
            throw new TraceFormatException(name + " is damaged: it is truncated (" + size + " of "
                    + pages * pageSize + " bytes present); record it again or copy it completely");
        }
    }

    private static long readInt(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                | (b[off + 3] & 0xff);
    }

    private static Map<String, String> readMeta(Connection conn, String name) throws SQLException,
            TraceFormatException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) {
            if (!rs.next()) {
                throw new TraceFormatException(name + " is an SQLite database of another application, "
                        + "not a kernscope trace (it has no meta table)");
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT key, value FROM meta")) {
            while (rs.next()) meta.put(rs.getString(1), rs.getString(2));
        } catch (SQLException e) {
            throw new TraceFormatException(name + " is an SQLite database of another application, "
                    + "not a kernscope trace (its meta table has no key/value columns)", e);
        }
        return meta;
    }

    private static void checkMeta(Map<String, String> meta, String name) throws TraceFormatException {
        String app = meta.get("application");
        if (!Schema.APPLICATION.equals(app)) {
            throw new TraceFormatException(name + " is an SQLite database of another application, not a kernscope trace"
                    + (app == null ? "" : " (application '" + app + "')"));
        }
        int version;
        try {
            version = Integer.parseInt(meta.getOrDefault("schema_version", ""));
        } catch (NumberFormatException e) {
            throw new TraceFormatException(name + " is damaged: its schema version is missing or unreadable");
        }
        if (version > Schema.VERSION) {
            throw new TraceFormatException(name + " was written by a newer kernscope (trace schema " + version
                    + ", this kernscope reads up to " + Schema.VERSION + "); update kernscope to open it");
        }
        if (version < 1) throw new TraceFormatException(name + " is damaged: schema version " + version + " is invalid");
    }

    private static void checkTables(Connection conn, String name) throws SQLException, TraceFormatException {
        List<String> present = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) present.add(rs.getString(1));
        }
        for (String t : TABLES) {
            if (!present.contains(t)) throw new TraceFormatException(name + " is damaged: table " + t + " is missing");
        }
    }

    private static TraceFormatException damaged(String name, SQLException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("NOTADB") || msg.contains("not a database")) {
            return new TraceFormatException(name + " is not a kernscope trace: it is not an SQLite database", e);
        }
        if (msg.contains("CORRUPT") || msg.contains("malformed")) {
            return new TraceFormatException(name + " is damaged (SQLite reports a malformed database); "
                    + "record it again or restore a complete copy", e);
        }
        if (msg.contains("CANTOPEN")) {
            return new TraceFormatException("cannot open " + name + ": SQLite could not open the file "
                    + "(for a trace still being recorded, its -wal and -shm files must be readable too)", e);
        }
        return new TraceFormatException("cannot read " + name + ": " + msg, e);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // the open already failed; its error is the one to report
        }
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

    static IOException queryError(String what, SQLException e) {
        return new IOException("query " + what + " failed: " + e.getMessage(), e);
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
                        (Integer) rs.getObject(5), longOrNull(rs, 6), longOrNull(rs, 7)));
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

    private static Long longOrNull(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
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

    private static long parse(String s, long dflt) {
        if (s == null) return dflt;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    // --- slices ---------------------------------------------------------------------------------------------

    /** Every slice of {@code cpu} that overlaps [from, to), in start order. */
    public synchronized SliceBlock slices(int cpu, long from, long to) throws IOException {
        SliceBlock b = new SliceBlock(cpu, 64);
        forEachChunk("_slice_chunk", -1, cpu, from, to, (n, data) -> decodeSlices(n, data, from, to, b));
        return b;
    }

    private interface ChunkVisitor {
        void chunk(int n, byte[] data);
    }

    /**
     * Visits the packed chunks of {@code table} (at mipmap {@code level}, or -1 for {@code _slice_chunk}, which
     * has none) for {@code cpu} that may overlap [from, to): the one starting at or before {@code from} (a CPU's
     * entries do not overlap, so no earlier chunk can reach into the window) and every chunk starting inside it.
     */
    private void forEachChunk(String table, int level, int cpu, long from, long to, ChunkVisitor v) throws IOException {
        String key = level < 0 ? "cpu = ?" : "level = ? AND cpu = ?";
        int k = 1;
        try {
            PreparedStatement prev = stmt("SELECT n, data FROM " + table + " WHERE " + key + " AND ts <= ? ORDER BY ts DESC LIMIT 1");
            if (level >= 0) prev.setInt(k++, level);
            prev.setInt(k++, cpu);
            prev.setLong(k, from);
            try (ResultSet rs = prev.executeQuery()) {
                if (rs.next()) v.chunk(rs.getInt(1), rs.getBytes(2));
            }
            PreparedStatement in = stmt("SELECT n, data FROM " + table + " WHERE " + key + " AND ts > ? AND ts < ? ORDER BY ts");
            k = 1;
            if (level >= 0) in.setInt(k++, level);
            in.setInt(k++, cpu);
            in.setLong(k++, from);
            in.setLong(k, to);
            try (ResultSet rs = in.executeQuery()) {
                while (rs.next()) v.chunk(rs.getInt(1), rs.getBytes(2));
            }
        } catch (SQLException e) {
            throw queryError(table, e);
        }
    }

    /** Appends the slices of one packed chunk (layout in schema.sql) that overlap [from, to). */
    private static void decodeSlices(int n, byte[] data, long from, long to, SliceBlock b) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, off = 0; i < n && off + SliceChunks.ENTRY <= data.length; i++, off += SliceChunks.ENTRY) {
            long ts = bb.getLong(off), dur = bb.getLong(off + 8);
            if (ts >= to) break;
            if (ts + dur <= from && !(dur == 0 && ts >= from)) continue;
            b.add(ts, dur, bb.getInt(off + 16), 1, dur, bb.getShort(off + 20));
        }
    }

    /**
     * Every slice of one thread, on any CPU, that overlaps [from, to), in start order; {@code cpu} of the block
     * is -1. Uses the (utid, ts) index of a finished trace; on a live one it scans the window.
     */
    public synchronized SliceBlock threadSlices(int utid, long from, long to) throws IOException {
        SliceBlock b = new SliceBlock(-1, 64);
        try {
            PreparedStatement ps = stmt("SELECT ts, dur, utid, end_state FROM sched_slice WHERE utid = ?1 "
                    + "AND ts < ?3 AND ts >= ?2 - ?4 AND ts + dur > ?2 ORDER BY ts");
            ps.setInt(1, utid);
            ps.setLong(2, from);
            ps.setLong(3, to);
            ps.setLong(4, maxSliceDur());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) b.add(rs.getLong(1), rs.getLong(2), rs.getInt(3), 1, rs.getLong(2), rs.getInt(4));
            }
        } catch (SQLException e) {
            throw queryError("thread slices", e);
        }
        return b;
    }

    /**
     * The LOD level a viewport at {@code nsPerPixel} reads: the coarsest whose bucket is at most two pixels
     * wide, or -1 for raw slices when even level 0 is too coarse.
     */
    public static int lodLevel(double nsPerPixel) {
        int level = -1;
        for (int l = 0; l < Schema.LOD_LEVELS; l++) {
            if (Schema.lodBucket(l) <= 2 * nsPerPixel) level = l;
        }
        return level;
    }

    /**
     * Level-of-detail slices of {@code cpu} over [from, to) for a viewport at {@code nsPerPixel}: at most one
     * representative row per pixel, whatever the number of slices (Perfetto's mipmap). It reads the mipmap
     * level whose buckets are at most two pixels wide (or raw slices when zoomed in further), then merges
     * rows that start in the same pixel. Rows with {@code cnt > 1} merge several slices; their
     * {@code endState} is -2 and their thread is the one with the most running time among the merged rows.
     */
    public synchronized SliceBlock slicesLod(int cpu, long from, long to, double nsPerPixel) throws IOException {
        int level = lodLevel(nsPerPixel);
        if (level >= 0 && level < minLodLevel(cpu)) level = -1; // pruned at finish: raw is at most 2x the rows
        SliceBlock b = level < 0 ? slices(cpu, from, to) : lodRows(cpu, level, from, to, nsPerPixel);
        mergePerPixel(b, from, nsPerPixel);
        return b;
    }

    private final Map<String, int[]> minLevels = new HashMap<>();

    /** The finest LOD level kept for {@code cpu} (finish() prunes levels that merge almost nothing); 0 live. */
    private int minLodLevel(int cpu) throws IOException {
        return minLevel("lod_min_levels", cpu);
    }

    private int minLevel(String key, int cpu) throws IOException {
        int[] m = minLevels.get(key);
        if (m == null) {
            // Looked up until found: a trace followed live gets it when its recording finishes.
            String v;
            try {
                PreparedStatement ps = stmt("SELECT value FROM meta WHERE key = ?");
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    v = rs.next() ? rs.getString(1) : null;
                }
            } catch (SQLException e) {
                throw queryError("meta", e);
            }
            if (v == null) return 0; // live: every level is there
            String[] parts = v.split(",");
            m = new int[parts.length];
            for (int i = 0; i < parts.length; i++) m[i] = parts[i].isEmpty() ? 0 : (int) parse(parts[i], 0);
            minLevels.put(key, m);
        }
        return cpu < m.length ? m[cpu] : 0;
    }

    private SliceBlock lodRows(int cpu, int level, long from, long to, double nsPerPixel) throws IOException {
        SliceBlock b = new SliceBlock(cpu, (int) Math.min(4096, Math.max(16, (to - from) / Math.max(1, (long) nsPerPixel))));
        forEachChunk("_slice_lod", level, cpu, from, to, (n, data) -> decodeLod(n, data, from, to, b));
        return b;
    }

    /** Appends the entries of one packed chunk (see schema.sql) that overlap [from, to). */
    private static void decodeLod(int n, byte[] data, long from, long to, SliceBlock b) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, off = 0; i < n && off + 32 <= data.length; i++, off += 32) {
            long ts = bb.getLong(off), dur = bb.getLong(off + 8);
            if (ts >= to) break;
            if (ts + dur <= from) continue;
            b.add(ts, dur, bb.getInt(off + 24), bb.getInt(off + 28), bb.getLong(off + 16), -2);
        }
    }

    /** Merges, in place, consecutive rows that start in the same pixel (a row starting before 'from' is pixel 0). */
    static void mergePerPixel(SliceBlock b, long from, double nsPerPixel) {
        if (nsPerPixel <= 1 || b.size < 2) return;
        int out = 0;
        long outPx = pixel(b.ts[0], from, nsPerPixel);
        for (int i = 1; i < b.size; i++) {
            long px = pixel(b.ts[i], from, nsPerPixel);
            if (px == outPx) {
                long end = Math.max(b.ts[out] + b.dur[out], b.ts[i] + b.dur[i]);
                if (b.busy[i] > b.busy[out]) b.utid[out] = b.utid[i];
                b.dur[out] = end - b.ts[out];
                b.cnt[out] += b.cnt[i];
                b.busy[out] += b.busy[i];
                b.endState[out] = -2;
            } else {
                out++;
                outPx = px;
                b.ts[out] = b.ts[i];
                b.dur[out] = b.dur[i];
                b.utid[out] = b.utid[i];
                b.cnt[out] = b.cnt[i];
                b.busy[out] = b.busy[i];
                b.endState[out] = b.endState[i];
            }
        }
        b.size = out + 1;
    }

    private static long pixel(long ts, long from, double nsPerPixel) {
        return ts <= from ? 0 : (long) ((ts - from) / nsPerPixel);
    }

    // --- runnable intervals, migrations, run queue, losses --------------------------------------------------

    /** Runnable intervals of one thread that start in [from, to), oldest first. */
    public synchronized List<Wakeup> wakeups(int utid, long from, long to) throws IOException {
        return list("wakeups", "SELECT ts, utid, coalesce(waker_utid, 0), target_cpu, run_ts, run_cpu, reason "
                + "FROM wakeup WHERE utid = ? AND ts >= ? AND ts < ? ORDER BY ts", TraceReader::wakeup, utid, from, to);
    }

    /** All runnable intervals that start in [from, to), by time. */
    public synchronized List<Wakeup> wakeups(long from, long to) throws IOException {
        return list("wakeups", "SELECT ts, utid, coalesce(waker_utid, 0), target_cpu, run_ts, run_cpu, reason "
                + "FROM wakeup WHERE ts >= ? AND ts < ? ORDER BY ts", TraceReader::wakeup, from, to);
    }

    /**
     * Wakeup→run latencies (ns) of the wakeups (not preemptions) in [from, to) that ran, of the threads
     * {@code utids} accepts, in no particular order: streamed into a primitive array, where {@link #wakeups}
     * would build an object per row (millions over a heavy recording).
     */
    public synchronized long[] wakeupLatencies(long from, long to, java.util.function.IntPredicate utids) throws IOException {
        long[] out = new long[1024];
        int n = 0;
        try {
            PreparedStatement ps = stmt("SELECT utid, run_ts - ts FROM wakeup" + (wide(from, to) ? " NOT INDEXED" : "")
                    + " WHERE ts >= ? AND ts < ? AND reason IN (0, 1) AND run_ts IS NOT NULL");
            ps.setLong(1, from);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!utids.test(rs.getInt(1))) continue;
                    if (n == out.length) out = Arrays.copyOf(out, n * 2);
                    out[n++] = rs.getLong(2);
                }
            }
        } catch (SQLException e) {
            throw queryError("wakeup latencies", e);
        }
        return Arrays.copyOf(out, n);
    }

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

    private static Wakeup wakeup(ResultSet rs) throws SQLException {
        return new Wakeup(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), longOrNull(rs, 5),
                (Integer) rs.getObject(6), rs.getInt(7));
    }

    public synchronized List<Migration> migrations(long from, long to) throws IOException {
        return list("migrations", "SELECT ts, utid, orig_cpu, dest_cpu FROM migration WHERE ts >= ? AND ts < ? ORDER BY ts",
                rs -> new Migration(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)), from, to);
    }

    /** Run-queue length samples of one CPU: {ts[], len[]} with the sample in force at {@code from} first. */
    public synchronized RunqSeries runq(int cpu, long from, long to) throws IOException {
        RunqSeries s = new RunqSeries();
        try {
            PreparedStatement prev = stmt("SELECT ts, len FROM runq_sample WHERE cpu = ? AND ts < ? ORDER BY ts DESC LIMIT 1");
            prev.setInt(1, cpu);
            prev.setLong(2, from);
            try (ResultSet rs = prev.executeQuery()) {
                if (rs.next()) s.add(rs.getLong(1), rs.getInt(2));
            }
            PreparedStatement ps = stmt("SELECT ts, len FROM runq_sample WHERE cpu = ? AND ts >= ? AND ts < ? ORDER BY ts");
            ps.setInt(1, cpu);
            ps.setLong(2, from);
            ps.setLong(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) s.add(rs.getLong(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw queryError("run queue", e);
        }
        return s;
    }

    /**
     * Run-queue lengths of one CPU for a viewport at {@code nsPerPixel}: at most one point per mipmap bucket
     * (the bucket's longest queue), plus the length in force at {@code from}; raw samples when zoomed in.
     */
    public synchronized RunqSeries runqLod(int cpu, long from, long to, double nsPerPixel) throws IOException {
        int level = lodLevel(nsPerPixel);
        if (level < 0 || level < minLevel("runq_lod_min_levels", cpu)) return runq(cpu, from, to);
        RunqSeries s = new RunqSeries();
        forEachChunk("_runq_lod", level, cpu, from, to, (n, data) -> decodeRunq(n, data, from, to, s));
        return s;
    }

    /** Appends a chunk's entries in [from, to); the last entry before {@code from} becomes the in-force value. */
    private static void decodeRunq(int n, byte[] data, long from, long to, RunqSeries s) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, off = 0; i < n && off + RunqLod.ENTRY <= data.length; i++, off += RunqLod.ENTRY) {
            long ts = bb.getLong(off);
            if (ts >= to) break;
            if (ts < from) {
                // only the latest entry before the window matters: what is in force when it starts
                if (s.size == 1 && s.ts[0] < from) s.size = 0;
                if (s.size == 0) s.add(ts, bb.getInt(off + 12));
                continue;
            }
            s.add(ts, bb.getInt(off + 8));
        }
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

    // --- per-thread summary ---------------------------------------------------------------------------------

    /**
     * Per-thread summary over [from, to) for every thread that ran, waited or migrated in it, ordered by
     * runtime (largest first). Latency percentiles use the nearest-rank method.
     */
    public synchronized List<ThreadSummary> threadSummaries(long from, long to) throws IOException {
        return threadSummaries(from, to, wide(from, to));
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

    /** As {@link #threadSummaries(long, long)}; {@code wide} picks the plan (tests compare both). */
    synchronized List<ThreadSummary> threadSummaries(long from, long to, boolean wide) throws IOException {
        Map<Integer, long[]> acc = new HashMap<>(); // runtime, wait, switches, migrations
        Map<Integer, long[]> lat = new HashMap<>();
        try {
            // utids are small dense keys: per-slice sums go into arrays, not a boxed map
            long[] runtime = new long[64], switches = new long[64];
            for (Cpu c : cpus()) {
                SliceBlock b = slices(c.cpu(), from, to);
                for (int i = 0; i < b.size; i++) {
                    int u = b.utid[i];
                    if (u >= runtime.length) {
                        runtime = Arrays.copyOf(runtime, Math.max(u + 1, runtime.length * 2));
                        switches = Arrays.copyOf(switches, runtime.length);
                    }
                    runtime[u] += Math.min(b.ts[i] + b.dur[i], to) - Math.max(b.ts[i], from);
                    if (b.ts[i] >= from) switches[u]++;
                }
            }
            for (int u = 0; u < runtime.length; u++) {
                if (runtime[u] == 0 && switches[u] == 0) continue;
                long[] a = acc.computeIfAbsent(u, k -> new long[4]);
                a[0] = runtime[u];
                a[2] = switches[u];
            }
            if (wide) {
                waitAndLatencyInOnePass(from, to, acc, lat);
            } else {
                waitAndLatency(from, to, acc, lat);
            }
            PreparedStatement mig = stmt("SELECT utid, count(*) FROM migration WHERE ts >= ? AND ts < ? GROUP BY utid");
            mig.setLong(1, from);
            mig.setLong(2, to);
            try (ResultSet rs = mig.executeQuery()) {
                while (rs.next()) acc.computeIfAbsent(rs.getInt(1), k -> new long[4])[3] = rs.getLong(2);
            }
            for (Integer u : lat.keySet()) acc.computeIfAbsent(u, k -> new long[4]);
        } catch (SQLException e) {
            throw queryError("thread summary", e);
        }
        Map<Integer, Model.Thread> threads = new HashMap<>();
        for (Model.Thread t : threads()) threads.put(t.utid(), t);
        List<ThreadSummary> out = new ArrayList<>();
        for (Map.Entry<Integer, long[]> e : acc.entrySet()) {
            int utid = e.getKey();
            long[] a = e.getValue();
            long[] l = lat.getOrDefault(utid, new long[0]);
            Model.Thread t = threads.get(utid);
            out.add(new ThreadSummary(utid, t == null ? 0 : t.tid(), t == null ? 0 : t.pid(),
                    t == null ? null : t.name(), t == null ? null : t.processName(), a[0], a[1], l.length,
                    percentile(l, 50), percentile(l, 95), percentile(l, 99), l.length == 0 ? 0 : l[l.length - 1],
                    a[2], a[3]));
        }
        out.sort((x, y) -> x.runtime() != y.runtime() ? Long.compare(y.runtime(), x.runtime())
                : Integer.compare(x.utid(), y.utid()));
        return out;
    }

    /** Wait time and wakeup latencies per thread through the indexes (narrow windows). */
    private void waitAndLatency(long from, long to, Map<Integer, long[]> acc, Map<Integer, long[]> lat) throws SQLException {
        PreparedStatement wait = stmt("SELECT utid, sum(min(coalesce(run_ts, ?2), ?2) - max(ts, ?1)) FROM wakeup "
                + "WHERE ts < ?2 AND coalesce(run_ts, ?2) > ?1 GROUP BY utid");
        wait.setLong(1, from);
        wait.setLong(2, to);
        try (ResultSet rs = wait.executeQuery()) {
            while (rs.next()) acc.computeIfAbsent(rs.getInt(1), k -> new long[4])[1] = rs.getLong(2);
        }
        PreparedStatement l = stmt("SELECT utid, run_ts - ts FROM wakeup WHERE ts >= ? AND ts < ? "
                + "AND reason IN (0, 1) AND run_ts IS NOT NULL ORDER BY utid, 2");
        l.setLong(1, from);
        l.setLong(2, to);
        try (ResultSet rs = l.executeQuery()) {
            int cur = -1;
            long[] buf = new long[256];
            int n = 0;
            while (rs.next()) {
                int u = rs.getInt(1);
                if (u != cur) {
                    if (cur >= 0) lat.put(cur, Arrays.copyOf(buf, n));
                    cur = u;
                    n = 0;
                }
                if (n == buf.length) buf = Arrays.copyOf(buf, n * 2);
                buf[n++] = rs.getLong(2);
            }
            if (cur >= 0) lat.put(cur, Arrays.copyOf(buf, n));
        }
    }

    /**
     * Wait time and wakeup latencies per thread in one pass over the wakeup table (wide windows): no index
     * lookups, no SQL grouping or sorting; each thread's latencies are sorted here.
     */
    private void waitAndLatencyInOnePass(long from, long to, Map<Integer, long[]> acc, Map<Integer, long[]> lat)
            throws SQLException {
        PreparedStatement ps = stmt("SELECT utid, ts, coalesce(run_ts, -1), reason FROM wakeup NOT INDEXED "
                + "WHERE ts < ?2 AND (coalesce(run_ts, ?2) > ?1 OR ts >= ?1)");
        ps.setLong(1, from);
        ps.setLong(2, to);
        Map<Integer, long[]> lists = new HashMap<>(); // utid -> {n, v0, v1, ...}
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int u = rs.getInt(1);
                long ts = rs.getLong(2), run = rs.getLong(3);
                boolean ran = run >= 0; // (one JNI call fewer per row than wasNull)
                long end = ran ? Math.min(run, to) : to;
                acc.computeIfAbsent(u, k -> new long[4])[1] += end - Math.max(ts, from);
                int reason = rs.getInt(4);
                if (ran && ts >= from && (reason == 0 || reason == 1)) {
                    long[] l = lists.get(u);
                    if (l == null) lists.put(u, l = new long[17]);
                    int n = (int) l[0];
                    if (n + 1 == l.length) lists.put(u, l = Arrays.copyOf(l, l.length * 2));
                    l[n + 1] = run - ts;
                    l[0] = n + 1;
                }
            }
        }
        for (Map.Entry<Integer, long[]> e : lists.entrySet()) {
            long[] l = e.getValue();
            long[] v = Arrays.copyOfRange(l, 1, 1 + (int) l[0]);
            Arrays.sort(v);
            lat.put(e.getKey(), v);
        }
    }

    /** Nearest-rank percentile of sorted values: the value at rank ceil(p/100 * n); 0 when empty. */
    public static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** The longest slice so far (the writer keeps meta('max_slice_dur') current), to bound ts-range scans. */
    private long maxSliceDur() throws IOException {
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
