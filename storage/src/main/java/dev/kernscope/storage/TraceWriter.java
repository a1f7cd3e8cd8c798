package dev.kernscope.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code .ktrace} file: batched prepared inserts, one transaction per {@link #flush()}, WAL mode
 * so that another process can follow the recording live. Secondary indexes are built by {@link #finish}.
 * Row methods take primitives and allocate nothing per row beyond what the driver does.
 *
 * <p>From {@link #create} to {@link #close} the writer holds the file's {@link RecorderLock}.
 *
 * <p>Not thread-safe: confine an instance to one writer thread.
 */
public final class TraceWriter implements AutoCloseable {
    /**
     * Rows pending before the writer commits on its own, to bound memory between flushes: the driver keeps
     * each batched value boxed (~25 bytes), so 32 Ki rows of up to 8 values hold ~6 MiB.
     */
    private static final int AUTO_FLUSH_ROWS = 32_768;

    private final Path path;
    private final Connection conn;
    private final List<PreparedStatement> ordered = new ArrayList<>();
    private final PreparedStatement insMeta, insCpu, insNode, insDistance;
    private final PreparedStatement insProcess, insThread, insThreadName, updThreadName, updProcessName, updProcessCmdline,
            updThreadEnd, updProcessEnd, updThreadProcess;
    private final PreparedStatement insChunk, insLod, insRunqLod, insMigration, insLost;
    private final RowBlock slices, wakeups, runqs;
    private final PreparedStatement insFrame, insFrameMangled, insStack, insSample;
    private final PreparedStatement insNumaCounter, insNumaFault, insNumaDecision, insPageMigration,
            insProcessPages;
    private final PreparedStatement insCost, insProgStats, insMapping;
    private final SliceLod lod;
    private final SliceChunks chunks;
    private final RunqLod runqLod;
    private long maxSliceDur = -1;
    private boolean maxSliceDurChanged;
    private int nextUpid = 1;
    private int nextUtid = 1;
    private long pending;
    private long rowsWritten;
    private boolean finished;
    private long[] lastSliceTs = new long[0];
    private RecorderLock lock;
    private final FileIdentity owner;

    private TraceWriter(Path path, Connection conn, FileIdentity owner) throws SQLException {
        this.path = path;
        this.conn = conn;
        this.owner = owner;
        insMeta = prep("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
        insCpu = prep("INSERT OR REPLACE INTO cpu(cpu, node, online) VALUES (?, ?, ?)");
        insNode = prep("INSERT OR REPLACE INTO numa_node(node, mem_bytes, cpus) VALUES (?, ?, ?)");
        insDistance = prep("INSERT OR REPLACE INTO numa_distance(src, dst, distance) VALUES (?, ?, ?)");
        insProcess = prep("INSERT INTO process(upid, pid, name, cmdline, parent_upid, start_ts) VALUES (?, ?, ?, ?, ?, ?)");
        insThread = prep("INSERT INTO thread(utid, tid, upid, name, start_ts) VALUES (?, ?, ?, ?, ?)");
        insThreadName = prep("INSERT INTO thread_name(utid, ts, name) VALUES (?, ?, ?)");
        updThreadName = prep("UPDATE thread SET name = ? WHERE utid = ?");
        updProcessName = prep("UPDATE process SET name = ? WHERE upid = ?");
        updProcessCmdline = prep("UPDATE process SET cmdline = ? WHERE upid = ?");
        updThreadProcess = prep("UPDATE thread SET upid = ? WHERE utid = ?");
        updThreadEnd = prep("UPDATE thread SET end_ts = ? WHERE utid = ?");
        updProcessEnd = prep("UPDATE process SET end_ts = ? WHERE upid = ?");
        slices = new RowBlock("sched_slice(ts, dur, cpu, utid, end_state, prio)", 6);
        insChunk = prep("INSERT OR REPLACE INTO _slice_chunk(cpu, ts, end_ts, n, data) VALUES (?, ?, ?, ?, ?)");
        insLod = prep("INSERT OR REPLACE INTO _slice_lod(level, cpu, ts, n, data) VALUES (?, ?, ?, ?, ?)");
        wakeups = new RowBlock("wakeup(ts, utid, waker_utid, target_cpu, run_ts, run_cpu, reason)", 7);
        insMigration = prep("INSERT INTO migration(ts, utid, orig_cpu, dest_cpu) VALUES (?, ?, ?, ?)");
        runqs = new RowBlock("runq_sample(ts, cpu, len)", 3);
        insRunqLod = prep("INSERT OR REPLACE INTO _runq_lod(level, cpu, ts, n, data) VALUES (?, ?, ?, ?, ?)");
        insLost = prep("INSERT INTO lost_events(ts, cpu, source, count) VALUES (?, ?, ?, ?)");
        insFrame = prep("INSERT OR REPLACE INTO frame(id, name, module, kind, rel_pc) VALUES (?, ?, ?, ?, ?)");
        insFrameMangled = prep("INSERT OR REPLACE INTO frame_mangled(frame_id, mangled) VALUES (?, ?)");
        insStack = prep("INSERT OR REPLACE INTO stack(id, parent_id, frame_id, depth) VALUES (?, ?, ?, ?)");
        insSample = prep("INSERT INTO stack_sample(ts, utid, cpu, stack_id, kind, weight, waker_utid, waker_stack_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insNumaCounter = prep("INSERT INTO numa_counter(ts, node, name, value, delta, rate) VALUES (?, ?, ?, ?, ?, ?)");
        insNumaFault = prep("INSERT INTO numa_fault(ts, utid, cpu, cpu_node, mem_node, pages, flags) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insNumaDecision = prep("INSERT INTO numa_decision(ts, kind, utid, src_cpu, src_nid, dst_cpu, dst_nid) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insPageMigration = prep("INSERT INTO page_migration(ts, succeeded, failed, reason, mode) VALUES (?, ?, ?, ?, ?)");
        insProcessPages = prep("INSERT INTO process_numa_pages(ts, upid, node, pages) VALUES (?, ?, ?, ?)");
        insCost = prep("INSERT INTO tracer_cost(ts, cpu_time_ns, rss_bytes, events, lost) VALUES (?, ?, ?, ?, ?)");
        insProgStats = prep("INSERT INTO bpf_prog_stats(ts, prog, run_time_ns, run_cnt) VALUES (?, ?, ?, ?)");
        insMapping = prep("INSERT INTO mapping(upid, ts, start, end, pgoff, path, build_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
        lod = new SliceLod(this::emitLod);
        chunks = new SliceChunks(this::emitChunk);
        runqLod = new RunqLod((level, cpu, ts, n, data) -> emitBlob(insRunqLod, level, cpu, ts, n, data));
    }

    private PreparedStatement prep(String sql) throws SQLException {
        PreparedStatement ps = conn.prepareStatement(sql);
        ordered.add(ps); // batches execute in creation order: inserts of a row's owner run before its updates
        if (sql.startsWith("INSERT INTO ")) {
            // Plain inserts add exactly one row each: counted per committed batch, the totals go into meta at
            // finish so that opening a big trace need not count its tables.
            inserted.put(ps, new Inserted(sql.substring("INSERT INTO ".length(), sql.indexOf('(')).trim()));
        }
        return ps;
    }

    /** Rows committed so far by one plain-insert statement, and its table. */
    private static final class Inserted {
        final String table;
        long rows;

        Inserted(String table) {
            this.table = table;
        }
    }

    private final java.util.IdentityHashMap<PreparedStatement, Inserted> inserted = new java.util.IdentityHashMap<>();

    /**
     * The plain insert of a high-volume table (slices, runnable intervals, run-queue samples): rows wait in
     * Java until {@link #ROWS} of them fill one multi-row INSERT, one statement step for all of them instead of
     * one each (1.4x the rows per second in sqlite-jdbc); at commit the rest go one by one, after them, so rows
     * keep their order. Values are integers; {@link #NULL} writes SQL NULL.
     */
    private final class RowBlock {
        static final int ROWS = 32;
        static final long NULL = Long.MIN_VALUE;
        final String table;
        final int cols;
        final PreparedStatement many, one;
        final long[] vals;
        int n;
        long rows; // committed

        RowBlock(String tableAndColumns, int cols) throws SQLException {
            this.table = tableAndColumns.substring(0, tableAndColumns.indexOf('('));
            this.cols = cols;
            String row = "(" + "?, ".repeat(cols - 1) + "?)";
            many = conn.prepareStatement("INSERT INTO " + tableAndColumns + " VALUES " + (row + ", ").repeat(ROWS - 1) + row);
            one = conn.prepareStatement("INSERT INTO " + tableAndColumns + " VALUES " + row);
            vals = new long[ROWS * cols];
        }

        /** Adds a row of the first {@code cols} values. */
        void add(long a, long b, long c, long d, long e, long f, long g) throws IOException {
            int o = n * cols;
            vals[o] = a;
            vals[o + 1] = b;
            vals[o + 2] = c;
            if (cols > 3) {
                vals[o + 3] = d;
                vals[o + 4] = e;
                vals[o + 5] = f;
                if (cols > 6) vals[o + 6] = g;
            }
            try {
                if (++n == ROWS) {
                    bind(many, 0, ROWS);
                    many.addBatch();
                    n = 0;
                }
                if (++pending >= AUTO_FLUSH_ROWS) commit();
            } catch (SQLException ex) {
                throw storageError("cannot write " + table, ex);
            }
        }

        private void bind(PreparedStatement ps, int first, int count) throws SQLException {
            for (int i = 0, p = 1, o = first * cols; i < count * cols; i++, p++, o++) {
                long v = vals[o];
                if (v == NULL) ps.setNull(p, Types.INTEGER);
                else ps.setLong(p, v);
            }
        }

        /** Inserts the full blocks, then the rows left over; part of the writer's transaction. */
        void execute() throws SQLException {
            rows += (long) many.executeBatch().length * ROWS;
            for (int r = 0; r < n; r++) {
                bind(one, r, 1);
                one.addBatch();
            }
            rows += one.executeBatch().length;
            n = 0;
        }
    }

    /**
     * Creates a new trace file. Refuses to overwrite an existing file unless {@code overwrite}.
     * Writes the schema and the meta keys every trace has (application, schema and kernscope version, clock).
     */
    public static TraceWriter create(Path path, boolean overwrite) throws IOException {
        return create(path, overwrite, FileIdentity.PROCESS);
    }

    /**
     * Creates a new trace file as {@code owner}: the file, its {@code -wal} and {@code -shm}, any rollback
     * journal and SQLite's temporary files are created under that file-system identity (see
     * {@link FileIdentity}) by this method, {@link #flush} (and every commit), {@link #finish},
     * {@link #abandonPending} and {@link #close}, the only ones that may make SQLite open or delete a file.
     * The trace itself is created with {@code O_CREAT|O_EXCL}, which never
     * follows a link at the last component.
     */
    public static TraceWriter create(Path path, boolean overwrite, FileIdentity owner) throws IOException {
        if (owner.switches()) warmUp();
        return owner.call(() -> createAs(path.toAbsolutePath(), overwrite, owner));
    }

    /**
     * Loads the driver, its native library and the classes a writer uses while still under the process'
     * identity: class files and the library's extraction are the process' business, and the user whose
     * identity files are created under may not be able to read where they come from.
     */
    private static void warmUp() throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = c.createStatement()) {
            for (String ddl : Schema.statements()) st.execute(ddl);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?)")) {
                ps.setString(1, "k");
                ps.setObject(2, "v");
                ps.addBatch();
                ps.executeBatch();
            }
            c.commit();
            Class.forName(RecorderLock.class.getName(), true, TraceWriter.class.getClassLoader());
        } catch (SQLException | ClassNotFoundException e) {
            throw new IOException("cannot load SQLite: " + e.getMessage(), e);
        }
    }

    private static TraceWriter createAs(Path path, boolean overwrite, FileIdentity owner) throws IOException {
        Path parent = path.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("cannot create " + path + ": folder " + parent + " does not exist");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!overwrite) throw new IOException(path + " exists; choose another name or remove it first");
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) throw new IOException(path + " is a folder");
            Files.delete(path); // a link is removed, never its target
        }
        for (String companion : new String[]{"-wal", "-shm", "-journal"}) {
            Path p = Path.of(path + companion);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
                throw new IOException(p + " exists (left from another recording?); remove it or choose another name");
            }
            Files.deleteIfExists(p);
        }
        try {
            Files.createFile(path); // O_CREAT|O_EXCL: fails on anything already there, a dangling link included
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException(path + " appeared while it was being created; choose another name");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot create " + path + ": permission denied"
                    + (owner.switches() ? " (files are created as " + owner + ")" : ""));
        }
        try {
            Connection conn = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA page_size = 8192");
                st.execute("PRAGMA auto_vacuum = INCREMENTAL"); // lets finish() give pruned LOD pages back
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = NORMAL");
                st.execute("PRAGMA cache_size = -16384");
                st.execute("PRAGMA temp_store = MEMORY");
                st.execute("PRAGMA busy_timeout = 5000");
                // Keep WAL checkpoints out of the ingest path's way; finish() checkpoints once.
                st.execute("PRAGMA wal_autocheckpoint = 16384");
                for (String ddl : Schema.statements()) st.execute(ddl);
            }
            conn.setAutoCommit(false);
            TraceWriter w = new TraceWriter(path, conn, owner);
            // Held before end_reason=recording is first committed and until close(): a reader that sees
            // "recording" without the lock knows the writer died.
            try {
                w.lock = RecorderLock.hold(path);
            } catch (IOException e) {
                conn.close();
                throw e;
            }
            w.meta("application", Schema.APPLICATION);
            w.meta("schema_version", Integer.toString(Schema.VERSION));
            w.meta("kernscope_version", Schema.KERNSCOPE_VERSION);
            w.meta("clock", "CLOCK_MONOTONIC (bpf_ktime_get_ns), ns since boot");
            w.meta("end_reason", "recording");
            w.flush();
            return w;
        } catch (SQLException e) {
            throw storageError("cannot create trace " + path, e);
        }
    }

    /** The file being written. */
    public Path path() {
        return path;
    }

    /** Rows committed so far (LOD rows included). */
    public long rowsWritten() {
        return rowsWritten;
    }

    // --- facts ------------------------------------------------------------------------------------------

    public void meta(String key, String value) throws IOException {
        row(insMeta, "cannot write meta " + key, key, value);
    }

    public void meta(Map<String, String> values) throws IOException {
        for (Map.Entry<String, String> e : values.entrySet()) meta(e.getKey(), e.getValue());
    }

    public void cpu(int cpu, int node, boolean online) throws IOException {
        row(insCpu, "cannot write cpu", cpu, node, online ? 1 : 0);
    }

    public void numaNode(int node, long memBytes, String cpuList) throws IOException {
        row(insNode, "cannot write numa_node", node, memBytes, cpuList);
    }

    public void numaDistance(int src, int dst, int distance) throws IOException {
        row(insDistance, "cannot write numa_distance", src, dst, distance);
    }

    // --- processes and threads ---------------------------------------------------------------------------

    /** Starts a process lifetime and returns its upid. {@code parentUpid} 0 means unknown. */
    public int newProcess(int pid, String name, String cmdline, int parentUpid, long ts) throws IOException {
        int upid = nextUpid++;
        row(insProcess, "cannot write process", upid, pid, name, cmdline, parentUpid > 0 ? parentUpid : null, ts);
        return upid;
    }

    /** Starts a thread lifetime and returns its utid. {@code upid} 0 means not known yet. */
    public int newThread(int tid, int upid, String name, long ts) throws IOException {
        int utid = nextUtid++;
        row(insThread, "cannot write thread", utid, tid, upid > 0 ? upid : null, name, ts);
        if (name != null) row(insThreadName, "cannot write thread", utid, ts, name);
        return utid;
    }

    /** Records that a thread's comm changed at {@code ts} (exec, prctl, pthread_setname_np). */
    public void renameThread(int utid, long ts, String name) throws IOException {
        row(insThreadName, "cannot rename thread", utid, ts, name);
        row(updThreadName, "cannot rename thread", name, utid);
    }

    public void renameProcess(int upid, String name) throws IOException {
        row(updProcessName, "cannot rename process", name, upid);
    }

    /** Sets a process' command line once known (e.g. read from /proc after an exec). */
    public void setProcessCmdline(int upid, String cmdline) throws IOException {
        row(updProcessCmdline, "cannot set process cmdline", cmdline, upid);
    }

    /** Attaches a thread whose process was unknown at creation. */
    public void setThreadProcess(int utid, int upid) throws IOException {
        row(updThreadProcess, "cannot set thread process", upid, utid);
    }

    public void endThread(int utid, long ts) throws IOException {
        row(updThreadEnd, "cannot end thread", ts, utid);
    }

    public void endProcess(int upid, long ts) throws IOException {
        row(updProcessEnd, "cannot end process", ts, upid);
    }

    // --- scheduling ---------------------------------------------------------------------------------------

    /**
     * One time a thread ran on a CPU. Slices of one CPU must come in start order (the LOD mipmap is built
     * as they arrive); a slice starting at or before its CPU's previous one is moved to 1 ns after it.
     */
    public void slice(int cpu, long ts, long dur, int utid, int endState, int prio) throws IOException {
        if (cpu >= lastSliceTs.length) lastSliceTs = java.util.Arrays.copyOf(lastSliceTs, Math.max(cpu + 1, lastSliceTs.length * 2));
        long last = lastSliceTs[cpu];
        if (ts <= last && last != 0) ts = last + 1;
        lastSliceTs[cpu] = ts;
        slices.add(ts, dur, cpu, utid, endState, prio, 0);
        lod.add(cpu, ts, dur, utid);
        chunks.add(cpu, ts, dur, utid, endState, prio);
        if (dur > maxSliceDur) {
            maxSliceDur = dur;
            maxSliceDurChanged = true;
        }
    }

    /**
     * A runnable interval. {@code wakerUtid} 0 = none/unknown; {@code runTs} &lt; 0 = never ran before the end.
     * {@code reason}: 0 wakeup, 1 wakeup_new, 2 preempted.
     */
    public void wakeup(long ts, int utid, int wakerUtid, int targetCpu, long runTs, int runCpu, int reason)
            throws IOException {
        boolean ran = runTs >= 0;
        wakeups.add(ts, utid, wakerUtid > 0 ? wakerUtid : RowBlock.NULL, targetCpu, ran ? runTs : RowBlock.NULL,
                ran ? runCpu : RowBlock.NULL, reason);
    }

    public void migration(long ts, int utid, int origCpu, int destCpu) throws IOException {
        row(insMigration, "cannot write migration", ts, utid, origCpu, destCpu);
    }

    public void runqSample(long ts, int cpu, int len) throws IOException {
        runqs.add(ts, cpu, len, 0, 0, 0, 0);
        runqLod.add(cpu, ts, len);
    }

    /** Events that could not be recorded; {@code cpu} -1 when unknown. */
    public void lost(long ts, int cpu, String source, long count) throws IOException {
        row(insLost, "cannot write lost_events", ts, cpu, source, count);
    }

    // --- stacks ---------------------------------------------------------------------------------------------

    /** Frame kinds as stored in {@code frame.kind}. */
    public static final int FRAME_KERNEL = 0, FRAME_USER = 1, FRAME_JIT = 2, FRAME_UNKNOWN = 3;
    /** Sample kinds as stored in {@code stack_sample.kind}. */
    public static final int SAMPLE_ON_CPU = 0, SAMPLE_OFF_CPU = 1;

    public void frame(long id, String name, String module, int kind, long relPc) throws IOException {
        row(insFrame, "cannot write frame", id, name, module, kind, relPc);
    }

    /** One link of an interned stack chain; {@code parentId} 0 at the root. */
    /** The linker's name of frame {@code id}, when its {@code name} is the demangled form. */
    public void frameMangled(long id, String mangled) throws IOException {
        row(insFrameMangled, "cannot write frame", id, mangled);
    }

    public void stack(long id, long parentId, long frameId, int depth) throws IOException {
        row(insStack, "cannot write stack", id, parentId > 0 ? parentId : null, frameId, depth);
    }

    /** A stack sample; {@code stackId}, {@code wakerUtid}, {@code wakerStackId} 0 = none. */
    public void stackSample(long ts, int utid, int cpu, long stackId, int kind, long weight, int wakerUtid,
                            long wakerStackId) throws IOException {
        row(insSample, "cannot write stack_sample", ts, utid, cpu, stackId > 0 ? stackId : null, kind, weight,
                wakerUtid > 0 ? wakerUtid : null, wakerStackId > 0 ? wakerStackId : null);
    }

    /** A captured memory mapping ({@code upid} 0 = kernel); {@code buildId} may be null. */
    public void mapping(int upid, long ts, long start, long end, long pgoff, String file, String buildId)
            throws IOException {
        row(insMapping, "cannot write mapping", upid, ts, start, end, pgoff, file, buildId);
    }

    // --- NUMA -----------------------------------------------------------------------------------------------

    /** A counter sample; {@code node} -1 for machine-wide counters. */
    public void numaCounter(long ts, int node, String name, long value, long delta, double rate)
            throws IOException {
        row(insNumaCounter, "cannot write numa_counter", ts, node, name, value, delta, rate);
    }

    public void numaFault(long ts, int utid, int cpu, int cpuNode, int memNode, int pages, int flags)
            throws IOException {
        row(insNumaFault, "cannot write numa_fault", ts, utid, cpu, cpuNode, memNode, pages, flags);
    }

    /** {@code kind}: "move", "swap" or "stick"; {@code utid} 0 = unknown. */
    public void numaDecision(long ts, String kind, int utid, int srcCpu, int srcNid, int dstCpu, int dstNid)
            throws IOException {
        row(insNumaDecision, "cannot write numa_decision", ts, kind, utid > 0 ? utid : null, srcCpu, srcNid, dstCpu,
                dstNid);
    }

    public void pageMigration(long ts, long succeeded, long failed, int reason, int mode) throws IOException {
        row(insPageMigration, "cannot write page_migration", ts, succeeded, failed, reason, mode);
    }

    public void processNumaPages(long ts, int upid, int node, long pages) throws IOException {
        row(insProcessPages, "cannot write process_numa_pages", ts, upid, node, pages);
    }

    // --- tracing cost ---------------------------------------------------------------------------------------

    public void tracerCost(long ts, long cpuTimeNs, long rssBytes, long events, long lost) throws IOException {
        row(insCost, "cannot write tracer_cost", ts, cpuTimeNs, rssBytes, events, lost);
    }

    public void bpfProgStats(long ts, String prog, long runTimeNs, long runCnt) throws IOException {
        row(insProgStats, "cannot write bpf_prog_stats", ts, prog, runTimeNs, runCnt);
    }

    // --- transactions ---------------------------------------------------------------------------------------

    /**
     * Commits everything written so far in one transaction, including the LOD buckets still open (as
     * provisional rows that later flushes replace), so that a live reader sees a consistent prefix.
     */
    public void flush() throws IOException {
        writeOpenState();
        commit();
    }

    /** The state kept in memory between rows: open chunks and LOD buckets, and the longest slice so far. */
    private void writeOpenState() throws IOException {
        chunks.writeOpen();
        lod.writeOpen();
        runqLod.writeOpen();
        writeMaxSliceDur();
    }

    private void writeMaxSliceDur() throws IOException {
        if (maxSliceDurChanged) {
            meta("max_slice_dur", Long.toString(maxSliceDur));
            maxSliceDurChanged = false;
        }
    }

    /** Per-CPU levels as the reader parses them back: "3,4,4,5". */
    private static String joinLevels(int[] levels) {
        StringBuilder sb = new StringBuilder();
        for (int cpu = 0; cpu < levels.length; cpu++) sb.append(cpu == 0 ? "" : ",").append(levels[cpu]);
        return sb.toString();
    }

    /** Deletes, per CPU, the mipmap levels of {@code table} finer than the ones worth keeping. */
    private void pruneLevels(String table, int[] minLevels) throws SQLException {
        try (PreparedStatement prune = conn.prepareStatement("DELETE FROM " + table + " WHERE cpu = ? AND level < ?")) {
            for (int cpu = 0; cpu < minLevels.length; cpu++) {
                if (minLevels[cpu] == 0) continue;
                prune.setInt(1, cpu);
                prune.setInt(2, minLevels[cpu]);
                prune.executeUpdate();
            }
        }
    }

    private void commit() throws IOException {
        owner.call(() -> {
            commitAsOwner();
            return null;
        });
    }

    private void commitAsOwner() throws IOException {
        try {
            slices.execute();
            wakeups.execute();
            runqs.execute();
            for (PreparedStatement ps : ordered) {
                int rows = ps.executeBatch().length;
                Inserted counted = inserted.get(ps);
                if (counted != null) counted.rows += rows;
            }
            conn.commit();
            rowsWritten += pending;
            pending = 0;
        } catch (SQLException e) {
            throw storageError("cannot write to " + path, e);
        }
    }

    /**
     * After a failed write: drops what the current transaction holds (batched rows and the transaction itself),
     * so that what was committed stays as it is and the writer can still write meta.
     */
    public void abandonPending() throws IOException {
        owner.call(() -> { // a rollback past finish() reads and deletes FILE-journal by name
            abandonPendingAsOwner();
            return null;
        });
    }

    private void abandonPendingAsOwner() throws IOException {
        try {
            for (RowBlock b : new RowBlock[]{slices, wakeups, runqs}) {
                b.many.clearBatch();
                b.one.clearBatch();
                b.n = 0;
            }
            for (PreparedStatement ps : ordered) ps.clearBatch();
            pending = 0;
            conn.rollback();
        } catch (SQLException e) {
            throw storageError("cannot roll back " + path, e);
        }
    }

    /**
     * Ends a recording that cannot be finished (no indexes, no checkpoint): writes {@code end_ts} and
     * {@code end_reason} only, so that readers see why it ended. {@code kernscope recover} can finish it later.
     */
    public void endUnfinished(long endTs, String endReason) throws IOException {
        meta("end_ts", Long.toString(endTs));
        meta("end_reason", endReason);
        commit();
    }

    /**
     * Ends the recording: closes the LOD buckets, writes {@code end_ts} and {@code end_reason}, builds the
     * secondary indexes and turns the file into a single self-contained file (WAL checkpointed, journal
     * mode DELETE).
     */
    public void finish(long endTs, String endReason) throws IOException {
        owner.call(() -> {
            finishAsOwner(endTs, endReason);
            return null;
        });
    }

    private void finishAsOwner(long endTs, String endReason) throws IOException {
        if (finished) return;
        long t0 = System.nanoTime();
        chunks.writeOpen();
        lod.closeAll(); // writes the open buckets for good
        runqLod.closeAll();
        writeMaxSliceDur();
        int[] minLevels = lod.minUsefulLevels();
        int[] runqMinLevels = runqLod.minUsefulLevels();
        meta("lod_min_levels", joinLevels(minLevels));
        meta("runq_lod_min_levels", joinLevels(runqMinLevels));
        commit(); // the last batches are counted before their totals are written
        for (Inserted counted : inserted.values()) meta("rows." + counted.table, Long.toString(counted.rows));
        for (RowBlock b : new RowBlock[]{slices, wakeups, runqs}) meta("rows." + b.table, Long.toString(b.rows));
        meta("end_ts", Long.toString(endTs));
        meta("end_reason", endReason);
        commit();
        // Leave WAL mode first: the indexes are then written once, into the file, instead of into the WAL and
        // again by the checkpoint (that halved finish time on a 12 M-slice recording). A reader following the
        // recording holds the WAL open and makes this fail: then they go through the WAL, and the last
        // connection to close checkpoints it; the file is valid either way.
        boolean inWal = !leaveWal();
        try (Statement st = conn.createStatement()) {
            // Index builds sort every row: spill to temporary files past the page cache instead of holding the
            // whole sort in memory (a 20 M-event recording peaked at 1 GiB RSS that way).
            st.execute("PRAGMA temp_store = FILE");
            pruneLevels("_slice_lod", minLevels);
            pruneLevels("_runq_lod", runqMinLevels);
            long t1 = System.nanoTime();
            for (String ddl : Schema.FINISH_INDEXES) st.execute(ddl);
            long t2 = System.nanoTime();
            // statistics from a sample of each index: a full ANALYZE reads every index once more
            st.execute("PRAGMA analysis_limit = 1000");
            st.execute("ANALYZE");
            conn.commit();
            long t3 = System.nanoTime();
            finishTimes = new long[]{t1 - t0, t2 - t1, t3 - t2, 0};
        } catch (SQLException e) {
            throw storageError("cannot finish " + path, e);
        }
        finished = true;
        long t4 = System.nanoTime();
        try (Statement st = conn.createStatement()) {
            conn.setAutoCommit(true);
            st.execute("PRAGMA busy_timeout = 200");
            st.execute("PRAGMA incremental_vacuum"); // gives the pruned mipmap levels' pages back
            if (inWal) { // fold the WAL into the file so it travels as one file
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                st.execute("PRAGMA journal_mode = DELETE");
            }
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSY") && !String.valueOf(e.getMessage()).contains("locked")) {
                throw storageError("cannot finish " + path, e);
            }
        }
        finishTimes[3] = System.nanoTime() - t4;
    }

    /** Checkpoints the WAL and switches to a rollback journal; false if another connection keeps it in WAL mode. */
    private boolean leaveWal() throws IOException {
        try (Statement st = conn.createStatement()) {
            conn.setAutoCommit(true);
            st.execute("PRAGMA busy_timeout = 200");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            String mode;
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = DELETE")) {
                mode = rs.next() ? rs.getString(1) : "";
            }
            return "delete".equalsIgnoreCase(mode);
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSY") && !String.valueOf(e.getMessage()).contains("locked")) {
                throw storageError("cannot finish " + path, e);
            }
            return false;
        } finally {
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                conn.setAutoCommit(false);
            } catch (SQLException e) {
                throw storageError("cannot finish " + path, e);
            }
        }
    }

    private long[] finishTimes;

    /**
     * How long {@link #finish} took, in ns: {last rows and mipmap buckets, secondary indexes, ANALYZE,
     * vacuum and WAL checkpoint}; null before it ran.
     */
    public long[] finishTimes() {
        return finishTimes == null ? null : finishTimes.clone();
    }

    /** Commits what is pending and closes the file, without {@link #finish} if it was not called. */
    @Override
    public void close() throws IOException {
        owner.call(() -> {
            closeAsOwner();
            return null;
        });
    }

    private void closeAsOwner() throws IOException {
        try {
            if (!finished) flush();
        } finally {
            try {
                conn.close();
            } catch (SQLException e) {
                throw storageError("cannot close " + path, e);
            } finally {
                if (lock != null) lock.close();
            }
        }
    }

    // --- internals ------------------------------------------------------------------------------------------

    private void emitLod(int level, int cpu, long ts, int n, byte[] data) {
        emitBlob(insLod, level, cpu, ts, n, data);
    }

    /** One packed mipmap chunk row: (level, cpu, ts, n, data). */
    private void emitBlob(PreparedStatement ps, int level, int cpu, long ts, int n, byte[] data) {
        try {
            ps.setInt(1, level);
            ps.setInt(2, cpu);
            ps.setLong(3, ts);
            ps.setInt(4, n);
            ps.setBytes(5, data);
            ps.addBatch();
            pending++;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write a mipmap chunk: " + e.getMessage(), e);
        }
    }

    private void emitChunk(int cpu, long ts, long endTs, int n, byte[] data) {
        try {
            insChunk.setInt(1, cpu);
            insChunk.setLong(2, ts);
            insChunk.setLong(3, endTs);
            insChunk.setInt(4, n);
            insChunk.setBytes(5, data);
            insChunk.addBatch();
            pending++;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write _slice_chunk: " + e.getMessage(), e);
        }
    }

    /**
     * Binds {@code values} in order (null binds SQL NULL; boxed numbers and strings as themselves) and batches
     * the row; {@code failure} starts the message if SQLite refuses it.
     */
    private void row(PreparedStatement ps, String failure, Object... values) throws IOException {
        try {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) ps.setNull(i + 1, Types.NULL);
                else ps.setObject(i + 1, values[i]);
            }
            add(ps);
        } catch (SQLException e) {
            throw storageError(failure, e);
        }
    }

    private void add(PreparedStatement ps) throws SQLException, IOException {
        ps.addBatch();
        if (++pending >= AUTO_FLUSH_ROWS) commit();
    }

    /** Turns an SQLite failure into a message that says what to do, notably for a full disk. */
    static IOException storageError(String what, SQLException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("SQLITE_FULL") || msg.contains("disk is full")) {
            return new IOException(what + ": the disk is full; free space and record again "
                    + "(everything committed before this point is kept in the file)", e);
        }
        if (msg.contains("SQLITE_READONLY") || msg.contains("readonly")) {
            return new IOException(what + ": the file or its folder is read-only", e);
        }
        return new IOException(what + ": " + msg, e);
    }
}
