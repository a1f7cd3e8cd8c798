package dev.kernscope.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Turns a seed into a list of edits to a trace and applies them to a copy: damaged pages, truncation, and the
 * lies a hand-made file can tell through SQL (packed BLOBs with wrong lengths or out-of-range thread ids and
 * times, stack cycles, huge CPU lists, extreme meta times, wrong column types, NULLs, schema rewrites with
 * views, triggers, generated or retyped columns). An edit is a line of text ({@code sql …}, {@code patch OFFSET
 * HEX}, {@code truncate LENGTH}), so a case that once failed is kept as its exact edit list, independent of how
 * this generator evolves. Not thread-safe: one instance per thread.
 */
final class TraceMutator {
    /** Tables and columns of the base trace (from its own schema), for the type and NULL edits. */
    private final List<String[]> columns = new ArrayList<>();
    private final long size;
    private final int pageSize;
    private final List<long[]> chunkRows = new ArrayList<>(); // {table index, rowid}
    private static final String[] CHUNK_TABLES = {"_slice_chunk", "_slice_lod", "_runq_lod"};
    private static final int[] CHUNK_ENTRY = {SliceChunks.ENTRY, SliceLod.ENTRY, RunqLod.ENTRY};
    private final long maxStack;

    TraceMutator(Path base) throws IOException, SQLException {
        size = Files.size(base);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + base); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA page_size")) {
                rs.next();
                pageSize = rs.getInt(1);
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("PRAGMA table_info(" + t + ")")) {
                    while (rs.next()) columns.add(new String[] {t, rs.getString(2)});
                }
            }
            for (int i = 0; i < CHUNK_TABLES.length; i++) {
                try (ResultSet rs = st.executeQuery("SELECT rowid FROM " + CHUNK_TABLES[i])) {
                    while (rs.next()) chunkRows.add(new long[] {i, rs.getLong(1)});
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM stack")) {
                rs.next();
                maxStack = rs.getLong(1);
            }
        }
    }

    /** The edits of case {@code seed}: one to three, of any kind. */
    List<String> edits(long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) out.add(edit(r));
        // byte edits last: SQL must still be able to open the file to make its edits
        out.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        return out;
    }

    private static int rank(String e) {
        return e.startsWith("sql") ? 0 : e.startsWith("patch") ? 1 : 2;
    }

    private String edit(Random r) {
        switch (r.nextInt(13)) {
            case 0, 1, 2: { // damaged page: a few random bytes somewhere in one page
                long page = r.nextInt((int) (size / pageSize));
                int len = 1 + r.nextInt(r.nextBoolean() ? 4 : 64);
                long off = page * pageSize + r.nextInt(pageSize - len);
                byte[] b = new byte[len];
                r.nextBytes(b);
                return "patch " + off + " " + HexFormat.of().formatHex(b);
            }
            case 3:
                return "truncate " + (long) (r.nextDouble() * size);
            case 4, 5: { // a packed BLOB that lies
                long[] row = chunkRows.get(r.nextInt(chunkRows.size()));
                String t = CHUNK_TABLES[(int) row[0]];
                int entry = CHUNK_ENTRY[(int) row[0]];
                String where = " WHERE rowid = " + row[1];
                switch (r.nextInt(7)) {
                    case 0: return "sql UPDATE " + t + " SET data = NULL" + where;
                    case 1: return "sql UPDATE " + t + " SET data = substr(data, 1, " + r.nextInt(64) + ")" + where;
                    case 2: return "sql UPDATE " + t + " SET n = " + pick(r) + where;
                    case 3: return "sql UPDATE " + t + " SET data = zeroblob(" + r.nextInt(1 << 20) + ")" + where;
                    default: { // one field of one entry: thread id, time, duration or count
                        int field = r.nextInt(entry / 4) * 4;
                        byte[] v = new byte[4];
                        int x = (int) pick(r);
                        for (int k = 0; k < 4; k++) v[k] = (byte) (x >> (8 * k));
                        int off = r.nextInt(8) * entry + field;
                        return "sql UPDATE " + t + " SET data = substr(data, 1, " + off + ") || X'" + HexFormat.of().formatHex(v)
                                + "' || substr(data, " + (off + 5) + ")" + where + " AND length(data) > " + (off + 4);
                    }
                }
            }
            case 6: { // stack chains that loop or point forward
                long id = 1 + (long) (r.nextDouble() * maxStack);
                return r.nextBoolean() ? "sql UPDATE stack SET parent_id = id WHERE id = " + id
                        : "sql UPDATE stack SET parent_id = " + (id + 1 + r.nextInt(50)) + " WHERE id = " + id;
            }
            case 7: {
                String[] lists = {"0-2147483647", "0-65535,0-65535", "x", "-1", "5-2", "0-1,,3", "99999999999"};
                return "sql UPDATE numa_node SET cpus = '" + lists[r.nextInt(lists.length)] + "' WHERE node = 0";
            }
            case 8: {
                String[] keys = {"start_ts", "end_ts", "max_slice_dur", "cpu_count", "schema_version", "lod_min_levels", "application"};
                String[] vals = {"9223372036854775807", "-9223372036854775808", "9223372036854775000", "abc", "", "-1", "1e30"};
                return "sql UPDATE meta SET value = '" + vals[r.nextInt(vals.length)] + "' WHERE key = '" + keys[r.nextInt(keys.length)] + "'";
            }
            case 9, 10: { // a value of the wrong type, NULL, or out of range in any column
                String[] c = columns.get(r.nextInt(columns.size()));
                String[] vals = {"NULL", "'text'", "X'00ff'", "1.5", "-1", "2147483647", "9223372036854775807", "-9223372036854775808"};
                return "sql UPDATE " + c[0] + " SET " + c[1] + " = " + vals[r.nextInt(vals.length)]
                        + " WHERE rowid IN (SELECT rowid FROM " + c[0] + " LIMIT " + (1 + r.nextInt(3)) + " OFFSET " + r.nextInt(20) + ")";
            }
            case 11: { // schema objects a trace must not have
                String[] ddl = {
                    "CREATE VIEW v AS SELECT 1",
                    "CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END",
                    "CREATE INDEX extra ON sched_slice(cpu)",
                    "CREATE TABLE extra (x)",
                    "DROP TABLE " + columns.get(r.nextInt(columns.size()))[0],
                    "ALTER TABLE thread ADD COLUMN g BLOB GENERATED ALWAYS AS (zeroblob(900000000))",
                    "ALTER TABLE " + columns.get(r.nextInt(columns.size()))[0] + " ADD COLUMN extra INTEGER"};
                return "sql " + ddl[r.nextInt(ddl.length)];
            }
            default: { // a table's declaration rewritten in place (what an editor of sqlite_schema can do)
                String[] c = columns.get(r.nextInt(columns.size()));
                String[][] swaps = {{"INTEGER", "TEXT"}, {"BLOB", "TEXT"}, {"NOT NULL", ""},
                        {c[1] + " ", c[1] + " AS (zeroblob(900000000)) "}, {"PRIMARY KEY", ""}};
                String[] s = swaps[r.nextInt(swaps.length)];
                return "sql PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, '" + s[0] + "', '"
                        + s[1] + "') WHERE name = '" + c[0] + "'";
            }
        }
    }

    /** A value near a boundary: 0, ±1, the int extremes, or a random int. */
    private static long pick(Random r) {
        long[] v = {0, 1, -1, 255, 256, 257, 4096, Integer.MAX_VALUE, Integer.MIN_VALUE, 65536};
        return r.nextInt(4) == 0 ? r.nextInt() : v[r.nextInt(v.length)];
    }

    /** Copies {@code base} to {@code out} and applies {@code edits} in order. An SQL edit SQLite refuses is skipped. */
    static void apply(Path base, Path out, List<String> edits) throws IOException {
        Files.copy(base, out, StandardCopyOption.REPLACE_EXISTING);
        for (String e : edits) {
            if (e.startsWith("sql ")) {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement st = c.createStatement()) {
                    for (String s : e.substring(4).split("; (?=[A-Z])")) st.execute(s);
                } catch (SQLException ignored) {
                    // e.g. a DROP of a table a view needs: the case goes on with the other edits
                }
            } else if (e.startsWith("patch ")) {
                String[] p = e.split(" ");
                try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
                    f.seek(Long.parseLong(p[1]));
                    f.write(HexFormat.of().parseHex(p[2]));
                }
            } else if (e.startsWith("truncate ")) {
                try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
                    f.setLength(Long.parseLong(e.substring(9)));
                }
            } else {
                throw new IllegalArgumentException("unknown edit: " + e);
            }
        }
    }
}
