package dev.kernscope.storage;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Slice and run-queue queries of one {@link TraceReader}: raw windows from the packed {@code _slice_chunk}
 * rows, viewport windows from the {@code _slice_lod} and {@code _runq_lod} mipmaps, one thread's slices from
 * {@code sched_slice}. The packed rows are decoded, with bounds checks, by the classes that write them
 * ({@link SliceChunks}, {@link SliceLod}, {@link RunqLod}).
 *
 * <p>Thread-safe: every query holds the reader's lock, as the reader's own methods do.
 */
final class SliceQueries {
    private final TraceReader reader;
    private final TraceRanges ranges;
    /** Per meta key, the finest mipmap level kept per CPU (finish() prunes levels that merge almost nothing). */
    private final Map<String, int[]> minLevels = new HashMap<>();

    SliceQueries(TraceReader reader, TraceRanges ranges) {
        this.reader = reader;
        this.ranges = ranges;
    }

    /** Every slice of {@code cpu} that overlaps [from, to), in start order. */
    SliceBlock slices(int cpu, long from, long to) throws IOException {
        synchronized (reader) {
            SliceBlock b = new SliceBlock(cpu, 64);
            forEachChunk("_slice_chunk", -1, cpu, from, to, (n, data) -> SliceChunks.decode(n, data, from, to, b, ranges));
            return b;
        }
    }

    private interface ChunkVisitor {
        void chunk(int n, byte[] data) throws IOException;
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
            PreparedStatement prev = reader.stmt("SELECT n, data FROM " + table + " WHERE " + key + " AND ts <= ? ORDER BY ts DESC LIMIT 1");
            if (level >= 0) prev.setInt(k++, level);
            prev.setInt(k++, cpu);
            prev.setLong(k, from);
            try (ResultSet rs = prev.executeQuery()) {
                if (rs.next()) v.chunk(rs.getInt(1), rs.getBytes(2));
            }
            PreparedStatement in = reader.stmt("SELECT n, data FROM " + table + " WHERE " + key + " AND ts > ? AND ts < ? ORDER BY ts");
            k = 1;
            if (level >= 0) in.setInt(k++, level);
            in.setInt(k++, cpu);
            in.setLong(k++, from);
            in.setLong(k, to);
            try (ResultSet rs = in.executeQuery()) {
                while (rs.next()) v.chunk(rs.getInt(1), rs.getBytes(2));
            }
        } catch (SQLException e) {
            throw TraceReader.queryError(table, e);
        }
    }

    /**
     * Every slice of one thread, on any CPU, that overlaps [from, to), in start order; {@code cpu} of the block
     * is -1. Uses the (utid, ts) index of a finished trace; on a live one it scans the window.
     */
    SliceBlock threadSlices(int utid, long from, long to) throws IOException {
        synchronized (reader) {
            SliceBlock b = new SliceBlock(-1, 64);
            try {
                PreparedStatement ps = reader.stmt("SELECT ts, dur, utid, end_state FROM sched_slice WHERE utid = ?1 "
                        + "AND ts < ?3 AND ts >= ?2 - ?4 AND ts + dur > ?2 ORDER BY ts");
                ps.setInt(1, utid);
                ps.setLong(2, from);
                ps.setLong(3, to);
                ps.setLong(4, reader.maxSliceDur());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long ts = rs.getLong(1), dur = rs.getLong(2);
                        ranges.time(ts, dur, "thread " + utid + "'s slices");
                        b.add(ts, dur, rs.getInt(3), 1, dur, rs.getInt(4));
                    }
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("thread slices", e);
            }
            return b;
        }
    }

    /**
     * The LOD level a viewport at {@code nsPerPixel} reads: the coarsest whose bucket is at most two pixels
     * wide, or -1 for raw slices when even level 0 is too coarse.
     */
    static int lodLevel(double nsPerPixel) {
        int level = -1;
        for (int l = 0; l < Schema.LOD_LEVELS; l++) {
            if (Schema.lodBucket(l) <= 2 * nsPerPixel) level = l;
        }
        return level;
    }

    /** See {@link TraceReader#slicesLod}. */
    SliceBlock slicesLod(int cpu, long from, long to, double nsPerPixel) throws IOException {
        synchronized (reader) {
            int level = lodLevel(nsPerPixel);
            if (level >= 0 && level < minLevel("lod_min_levels", cpu)) level = -1; // pruned at finish: raw is at most 2x the rows
            SliceBlock b = level < 0 ? slices(cpu, from, to) : lodRows(cpu, level, from, to, nsPerPixel);
            mergePerPixel(b, from, nsPerPixel);
            return b;
        }
    }

    private int minLevel(String key, int cpu) throws IOException {
        int[] m = minLevels.get(key);
        if (m == null) {
            // Looked up until found: a trace followed live gets it when its recording finishes.
            String v;
            try {
                PreparedStatement ps = reader.stmt("SELECT value FROM meta WHERE key = ?");
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    v = rs.next() ? rs.getString(1) : null;
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("meta", e);
            }
            if (v == null) return 0; // live: every level is there
            String[] parts = v.split(",");
            m = new int[Math.min(parts.length, CpuList.LIMIT)];
            for (int i = 0; i < m.length; i++) m[i] = parts[i].isEmpty() ? 0 : (int) TraceReader.parse(parts[i], 0);
            minLevels.put(key, m);
        }
        return cpu < m.length ? m[cpu] : 0;
    }

    private SliceBlock lodRows(int cpu, int level, long from, long to, double nsPerPixel) throws IOException {
        SliceBlock b = new SliceBlock(cpu, (int) Math.min(4096, Math.max(16, (to - from) / Math.max(1, (long) nsPerPixel))));
        forEachChunk("_slice_lod", level, cpu, from, to, (n, data) -> SliceLod.decode(n, data, from, to, b, ranges));
        return b;
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

    /** Run-queue length samples of one CPU: {ts[], len[]} with the sample in force at {@code from} first. */
    TraceReader.RunqSeries runq(int cpu, long from, long to) throws IOException {
        synchronized (reader) {
            TraceReader.RunqSeries s = new TraceReader.RunqSeries();
            try {
                PreparedStatement prev = reader.stmt("SELECT ts, len FROM runq_sample WHERE cpu = ? AND ts < ? ORDER BY ts DESC LIMIT 1");
                prev.setInt(1, cpu);
                prev.setLong(2, from);
                try (ResultSet rs = prev.executeQuery()) {
                    if (rs.next()) s.add(rs.getLong(1), rs.getInt(2));
                }
                PreparedStatement ps = reader.stmt("SELECT ts, len FROM runq_sample WHERE cpu = ? AND ts >= ? AND ts < ? ORDER BY ts");
                ps.setInt(1, cpu);
                ps.setLong(2, from);
                ps.setLong(3, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) s.add(rs.getLong(1), rs.getInt(2));
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("run queue", e);
            }
            return s;
        }
    }

    /** See {@link TraceReader#runqLod}. */
    TraceReader.RunqSeries runqLod(int cpu, long from, long to, double nsPerPixel) throws IOException {
        synchronized (reader) {
            int level = lodLevel(nsPerPixel);
            if (level < 0 || level < minLevel("runq_lod_min_levels", cpu)) return runq(cpu, from, to);
            TraceReader.RunqSeries s = new TraceReader.RunqSeries();
            forEachChunk("_runq_lod", level, cpu, from, to, (n, data) -> RunqLod.decode(cpu, n, data, from, to, s, ranges));
            return s;
        }
    }
}
