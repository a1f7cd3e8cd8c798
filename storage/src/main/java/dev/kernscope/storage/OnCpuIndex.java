package dev.kernscope.storage;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who ran on which CPU around a time, for a walk that goes back in time: each CPU's packed slice chunks are
 * decoded once, newest first, as the walk reaches them, so asking "was thread u on a CPU at t" costs a binary
 * search per CPU instead of an index query.
 *
 * <p>Not thread-safe: used by one query at a time, which holds the reader's lock.
 */
final class OnCpuIndex {
    private static final int CHUNKS_PER_QUERY = 4;

    private final TraceReader reader;
    private final TraceRanges ranges;
    private final int[] cpus;
    /** Per CPU: decoded chunks, newest first, and whether the oldest has been reached. */
    private final List<List<SliceBlock>> chunks = new ArrayList<>();
    private final boolean[] done;
    private final long top;

    OnCpuIndex(TraceReader reader, long top) throws IOException {
        this.reader = reader;
        this.ranges = new TraceRanges(reader);
        this.cpus = reader.cpus().stream().mapToInt(Model.Cpu::cpu).toArray();
        this.done = new boolean[cpus.length];
        this.top = top;
        for (int i = 0; i < cpus.length; i++) chunks.add(new ArrayList<>());
    }

    /** Whether {@code utid} was running at {@code t} (t &le; the time given at construction): a slice with ts &lt; t &le; end. */
    boolean running(int utid, long t) throws IOException {
        for (int c = 0; c < cpus.length; c++) {
            SliceBlock b = chunkBefore(c, t);
            if (b == null) continue;
            // the entry with the largest ts < t
            int lo = 0, hi = b.size - 1, k = -1;
            while (lo <= hi) {
                int m = (lo + hi) >>> 1;
                if (b.ts[m] < t) {
                    k = m;
                    lo = m + 1;
                } else {
                    hi = m - 1;
                }
            }
            if (k >= 0 && b.utid[k] == utid && (t <= b.ts[k] + b.dur[k] || b.endState[k] == -1)) return true;
        }
        return false;
    }

    /** The newest decoded chunk of CPU index c whose first slice starts before t, loading older chunks as needed. */
    private SliceBlock chunkBefore(int c, long t) throws IOException {
        List<SliceBlock> list = chunks.get(c);
        while (true) {
            // first slice times fall with the index: the chunks starting before t are a suffix; its head is the one
            int lo = 0, hi = list.size();
            while (lo < hi) {
                int m = (lo + hi) >>> 1;
                if (list.get(m).ts[0] < t) hi = m;
                else lo = m + 1;
            }
            if (lo < list.size()) return list.get(lo);
            if (done[c]) return null;
            load(c);
        }
    }

    private void load(int c) throws IOException {
        List<SliceBlock> list = chunks.get(c);
        long below = list.isEmpty() ? top : list.get(list.size() - 1).ts[0];
        int got = 0;
        try {
            PreparedStatement ps = reader.stmt("SELECT n, data FROM _slice_chunk WHERE cpu = ? AND ts < ? ORDER BY ts DESC LIMIT "
                    + CHUNKS_PER_QUERY);
            ps.setInt(1, cpus[c]);
            ps.setLong(2, below);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SliceBlock b = new SliceBlock(cpus[c], SliceChunks.CHUNK);
                    SliceChunks.decode(rs.getInt(1), rs.getBytes(2), Long.MIN_VALUE, Long.MAX_VALUE, b, ranges);
                    if (b.size == 0) continue;
                    list.add(b);
                    got++;
                }
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("slice chunks", e);
        }
        if (got < CHUNKS_PER_QUERY) done[c] = true;
    }
}
