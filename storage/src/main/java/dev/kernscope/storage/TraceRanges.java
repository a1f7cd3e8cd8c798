package dev.kernscope.storage;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What values a trace's own tables allow, for checking the values inside its packed BLOBs and rows before
 * they index an array: thread ids against the thread table, times against {@link TraceFile#MAX_TS}. A value
 * outside becomes "this trace is damaged: …". Guarded by its {@link TraceReader}'s lock.
 */
final class TraceRanges {
    /** A live recording may commit a slice before its thread's row: this much room above the largest utid. */
    private static final int LIVE_UTID_SLACK = 1 << 16;

    private final TraceReader reader;
    private int maxUtid = -1;

    TraceRanges(TraceReader reader) {
        this.reader = reader;
    }

    /** Checks a thread id from a chunk or row: 0 up to the thread table's largest (re-read when exceeded). */
    void utid(int utid, String where) throws TraceFormatException {
        if (utid >= 0 && utid <= maxUtid) return;
        if (utid >= 0) {
            refresh();
            if (utid <= maxUtid) return;
        }
        throw reader.damaged(where + " names thread " + utid + ", which its thread table does not have");
    }

    private void refresh() throws TraceFormatException {
        long max, count;
        try (ResultSet rs = reader.stmt("SELECT coalesce(max(utid), -1), count(*) FROM thread").executeQuery()) {
            rs.next();
            max = rs.getLong(1);
            count = rs.getLong(2);
        } catch (SQLException e) {
            throw reader.damaged("its thread table cannot be read (" + TraceFile.oneLine(e.getMessage()) + ")");
        }
        // utids are dense from 1: a much larger one would size per-thread arrays by a lie
        if (max > 2 * count + 1024) throw reader.damaged("thread " + max + " is far beyond its " + count + " threads");
        boolean live = "recording".equals(reader.meta().get("end_reason"));
        maxUtid = (int) Math.min(Integer.MAX_VALUE - LIVE_UTID_SLACK, max) + (live ? LIVE_UTID_SLACK : 0);
    }

    /** Checks a start time and duration: both in [0, MAX_TS], so that ts + dur cannot overflow. */
    void time(long ts, long dur, String where) throws TraceFormatException {
        if (ts < 0 || ts > TraceFile.MAX_TS || dur < 0 || dur > TraceFile.MAX_TS) {
            throw reader.damaged(where + " has a slice at " + ts + " ns lasting " + dur + " ns");
        }
    }

    /** "this trace is damaged: {@code what}", naming the file. */
    TraceFormatException damaged(String what) {
        return reader.damaged(what);
    }

    /** Checks a packed chunk's entry count and length against its layout. */
    void chunk(int n, byte[] data, int maxEntries, int entryBytes, String where) throws TraceFormatException {
        if (data == null) throw reader.damaged(where + " has a chunk without data");
        if (n < 0 || n > maxEntries || (long) n * entryBytes != data.length) {
            throw reader.damaged(where + " has a chunk of " + data.length + " bytes claiming " + n + " entries");
        }
    }
}
