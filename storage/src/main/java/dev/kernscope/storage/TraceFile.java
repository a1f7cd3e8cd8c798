package dev.kernscope.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Opens a {@code .ktrace} that may come from anywhere and checks, before any query believes it, that it is a
 * kernscope trace this build reads: a regular file (never a FIFO or device, which would block or never end),
 * an SQLite header that is not truncated, exactly the schema our {@code schema.sql} creates (no views, triggers,
 * generated or retyped columns), a sane {@code meta} table and a topology within Linux's limits. What it
 * rejects is one sentence for the user ({@link TraceFormatException}). Stateless and thread-safe.
 */
final class TraceFile {
    /** Latest ts a trace may hold: far beyond any uptime, and sums of two ts or durations cannot overflow. */
    static final long MAX_TS = 1L << 62;
    /** NUMA nodes Linux supports at most (MAX_NUMNODES with NODES_SHIFT 10). */
    static final int MAX_NODES = 1024;
    /** Longest string or BLOB SQLite hands us: far above any value we write (chunks are a few KiB). */
    static final int MAX_VALUE_BYTES = 16 << 20;

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static volatile Map<String, SchemaObject> expected;

    private TraceFile() {}

    /** A validated trace: its open connection and its meta table. */
    record Checked(Connection conn, Map<String, String> meta) {}

    /** One row of {@code sqlite_schema}, its SQL with whitespace normalized. */
    private record SchemaObject(String type, String table, String sql) {}

    static Checked open(Path path, boolean readOnly) throws IOException {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        Path real = checkRegular(path, name);
        checkHeader(real, name);
        Connection conn = null;
        try {
            Properties props = new Properties();
            if (readOnly) props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
            // Every text or BLOB SQLite reads is capped: a lying row (or a damaged page's payload size) then
            // fails as SQLITE_TOOBIG instead of allocating up to a GiB in SQLite and again in Java.
            props.setProperty("limit_length", Integer.toString(MAX_VALUE_BYTES));
            conn = DriverManager.getConnection("jdbc:sqlite:" + real, props);
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA trusted_schema = OFF");
                st.execute("PRAGMA cell_size_check = ON"); // damaged pages fail as CORRUPT, not as garbage
                st.execute("PRAGMA query_only = " + (readOnly ? "ON" : "OFF"));
                st.execute("PRAGMA cache_size = -65536");
            }
            // meta first, and only once it is our table: its version decides how to read the rest
            checkMetaTable(conn, name);
            Map<String, String> meta = readMeta(conn, name);
            checkMeta(meta, name);
            checkSchema(conn, name);
            checkTopology(conn, name);
            return new Checked(conn, meta);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw damaged(name, e);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(conn);
            throw e;
        }
    }

    /**
     * The file to open: {@code path}'s target, which must be a regular file, as must its {@code -wal} and
     * {@code -shm} companions when present (SQLite opens them too). Checked without opening anything: opening
     * a FIFO blocks until someone writes to it.
     */
    private static Path checkRegular(Path path, String name) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) throw new TraceFormatException(path + ": no such file");
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new TraceFormatException(path + " is a link to nothing: " + e.getMessage());
        }
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) throw new TraceFormatException(path + " is a folder, not a trace file");
        if (!a.isRegularFile()) {
            throw new TraceFormatException(name + " is not a trace file: it is a special file (a pipe, socket or device)");
        }
        if (!Files.isReadable(real)) throw new TraceFormatException("cannot read " + path + ": permission denied");
        for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
            Path side = Path.of(real + suffix);
            if (Files.exists(side, LinkOption.NOFOLLOW_LINKS)
                    && !Files.readAttributes(side, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                throw new TraceFormatException(name + " cannot be opened: its " + suffix.substring(1)
                        + " file is not a regular file");
            }
        }
        return real;
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

    /**
     * Every object of the file's schema must be one that our writer creates, with the same SQL: the tables of
     * {@code schema.sql} (those of {@link TraceReader#TABLES} required), the indexes {@code finish()} builds,
     * SQLite's own autoindexes and statistics, and the tables features create when first used
     * ({@link Schema#OPTIONAL_TABLES}). SQLite stores each object as its CREATE text, so equal text means equal
     * columns, types, constraints and no generated columns; views and triggers have no counterpart.
     */
    private static void checkSchema(Connection conn, String name) throws SQLException, TraceFormatException {
        Map<String, SchemaObject> want = expected();
        Set<String> present = new HashSet<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_schema")) {
            while (rs.next()) {
                String type = rs.getString(1), obj = rs.getString(2);
                SchemaObject have = new SchemaObject(type, rs.getString(3), normalize(rs.getString(4)));
                SchemaObject w = want.get(obj);
                if (w == null && obj != null && obj.startsWith("sqlite_stat")) continue; // ANALYZE's, statistics only
                if (w == null) {
                    throw new TraceFormatException(name + " is damaged: its schema has an unexpected " + type + " '"
                            + obj + "'");
                }
                if (!w.equals(have)) {
                    throw new TraceFormatException(name + " is damaged: its " + w.type() + " '" + obj
                            + "' is not declared as kernscope declares it");
                }
                present.add(obj);
            }
        }
        for (String t : TraceReader.TABLES) {
            if (!present.contains(t)) throw new TraceFormatException(name + " is damaged: table " + t + " is missing");
        }
    }

    /**
     * The meta table must exist and be a table before it is read (a view of that name could run any query);
     * another application's meta table is read too, to name that application. The rest of its declaration
     * is checked with the whole schema once the version is known.
     */
    private static void checkMetaTable(Connection conn, String name) throws SQLException, TraceFormatException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, sql FROM sqlite_schema WHERE name = 'meta'")) {
            if (!rs.next()) throw notOurs(name);
            String sql = String.valueOf(rs.getString(2)).toUpperCase(java.util.Locale.ROOT);
            if (!"table".equals(rs.getString(1)) || sql.contains("VIRTUAL") || sql.contains("GENERATED")
                    || sql.matches("(?s).*\\bAS\\s*\\(.*")) {
                throw new TraceFormatException(name + " is damaged: its meta table is not kernscope's");
            }
        }
    }

    private static TraceFormatException notOurs(String name) {
        return new TraceFormatException(name + " is an SQLite database of another application, "
                + "not a kernscope trace (it has no meta table)");
    }

    /** The schema our writer creates, read back from a fresh in-memory database: what SQLite stores for it. */
    private static Map<String, SchemaObject> expected() throws SQLException {
        Map<String, SchemaObject> m = expected;
        if (m != null) return m;
        m = new HashMap<>();
        try (Connection mem = DriverManager.getConnection("jdbc:sqlite::memory:");
             Statement st = mem.createStatement()) {
            for (String ddl : Schema.statements()) st.execute(ddl);
            for (String ddl : Schema.OPTIONAL_TABLES) st.execute(ddl);
            for (String ddl : Schema.FINISH_INDEXES) st.execute(ddl);
            try (ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_schema")) {
                while (rs.next()) {
                    m.put(rs.getString(2), new SchemaObject(rs.getString(1), rs.getString(3), normalize(rs.getString(4))));
                }
            }
        }
        expected = Map.copyOf(m);
        return expected;
    }

    /** The SQL with runs of whitespace as one space and none around brackets and commas. */
    private static String normalize(String sql) {
        if (sql == null) return "";
        return sql.strip().replaceAll("\\s+", " ").replaceAll(" ?([(),]) ?", "$1");
    }

    private static Map<String, String> readMeta(Connection conn, String name) throws SQLException,
            TraceFormatException {
        Map<String, String> meta = new LinkedHashMap<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT key, value FROM meta LIMIT 10000")) {
            while (rs.next()) {
                String k = rs.getString(1);
                if (k != null) meta.put(k, rs.getString(2));
            }
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such column")) {
                throw new TraceFormatException(name + " is an SQLite database of another application, "
                        + "not a kernscope trace (its meta table has no key/value columns)", e);
            }
            throw e;
        }
        return meta;
    }

    private static void checkMeta(Map<String, String> meta, String name) throws TraceFormatException {
        String app = meta.get("application");
        if (!Schema.APPLICATION.equals(app)) {
            throw new TraceFormatException(name + " is an SQLite database of another application, not a kernscope trace"
                    + (app == null ? "" : " (application '" + oneLine(app) + "')"));
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
        Long start = time(meta, "start_ts", name), end = time(meta, "end_ts", name);
        if (start != null && end != null && end < start) {
            throw new TraceFormatException(name + " is damaged: it ends (" + end + " ns) before it starts (" + start + " ns)");
        }
        time(meta, "max_slice_dur", name);
        Long cpus = time(meta, "cpu_count", name), nodes = time(meta, "numa_node_count", name);
        if ((cpus != null && cpus > CpuList.LIMIT) || (nodes != null && nodes > MAX_NODES)) {
            throw new TraceFormatException(name + " is damaged: it claims " + cpus + " CPUs on " + nodes + " NUMA nodes");
        }
    }

    /** A meta value that must be a time (or count) in [0, MAX_TS], or absent. */
    private static Long time(Map<String, String> meta, String key, String name) throws TraceFormatException {
        String v = meta.get(key);
        if (v == null) return null;
        long t;
        try {
            t = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new TraceFormatException(name + " is damaged: meta " + key + " is not a number");
        }
        if (t < 0 || t > MAX_TS) throw new TraceFormatException(name + " is damaged: meta " + key + " = " + t + " is out of range");
        return t;
    }

    /**
     * CPUs and nodes within Linux's limits, every node's CPU list readable and naming CPUs of the trace: the
     * views size arrays by them.
     */
    private static void checkTopology(Connection conn, String name) throws SQLException, TraceFormatException {
        Set<Integer> nodes = new HashSet<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT node, cpus, typeof(node), typeof(mem_bytes) FROM numa_node")) {
            while (rs.next()) {
                int node = rs.getInt(1);
                if (!"integer".equals(rs.getString(3)) || !"integer".equals(rs.getString(4)) || node < 0
                        || node >= MAX_NODES) {
                    throw new TraceFormatException(name + " is damaged: NUMA node '" + oneLine(rs.getString(1)) + "' is invalid");
                }
                nodes.add(node);
                try {
                    CpuList.parse(rs.getString(2));
                } catch (IllegalArgumentException e) {
                    throw new TraceFormatException(name + " is damaged: NUMA node " + node + " has an invalid CPU list ("
                            + oneLine(e.getMessage()) + ")");
                }
            }
        }
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT cpu, node, typeof(node) FROM cpu")) {
            while (rs.next()) {
                long cpu = rs.getLong(1), node = rs.getLong(2);
                if (cpu < 0 || cpu >= CpuList.LIMIT) {
                    throw new TraceFormatException(name + " is damaged: CPU " + cpu + " is out of range");
                }
                if (!"integer".equals(rs.getString(3)) || node < 0 || node >= MAX_NODES
                        || (!nodes.isEmpty() && !nodes.contains((int) node))) {
                    throw new TraceFormatException(name + " is damaged: CPU " + cpu + " is on an unknown NUMA node");
                }
            }
        }
    }

    static TraceFormatException damaged(String name, SQLException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("NOTADB") || msg.contains("not a database")) {
            return new TraceFormatException(name + " is not a kernscope trace: it is not an SQLite database", e);
        }
        if (msg.contains("CORRUPT") || msg.contains("malformed")) {
            return new TraceFormatException(name + " is damaged (SQLite reports a malformed database); "
                    + "record it again or restore a complete copy", e);
        }
        if (msg.contains("TOOBIG") || msg.contains("too big")) {
            return new TraceFormatException(name + " is damaged: it holds a value larger than any kernscope writes", e);
        }
        if (msg.contains("CANTOPEN")) {
            return new TraceFormatException("cannot open " + name + ": SQLite could not open the file "
                    + "(for a trace still being recorded, its -wal and -shm files must be readable too)", e);
        }
        return new TraceFormatException("cannot read " + name + ": " + oneLine(msg), e);
    }

    /** A value from the file, fit for a one-line message: control characters as spaces, at most 200 characters. */
    static String oneLine(String s) {
        if (s == null) return "null";
        String t = s.replaceAll("[\\p{Cntrl}]", " ");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // the open already failed; its error is the one to report
        }
    }
}
