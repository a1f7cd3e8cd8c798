package dev.kernscope.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who ran on which CPU around a time, for a walk that goes back in time: each CPU's packed slice chunks are
 * fetched once, newest first, as the walk reaches them, and searched in place (only the entry found is
 * decoded and checked), so asking "was thread u on a CPU at t" costs a binary search per CPU instead of an
 * index query.
 *
 * <p>Not thread-safe: used by one query at a time, which holds the reader's lock.
 */
final class OnCpuIndex {
    private static final int CHUNKS_PER_QUERY = 8;
    private static final int E = SliceChunks.ENTRY;

    private final TraceReader reader;
    private final TraceRanges ranges;
    private final int[] cpus;
    /** Per CPU: its chunks newest first, as little-endian buffers of {@link SliceChunks#ENTRY}-byte entries. */
    private final List<List<ByteBuffer>> chunks = new ArrayList<>();
    private final boolean[] done;
    /** Per CPU: the key (first ts) of the oldest chunk fetched; older ones come next. */
    private final long[] below;

    OnCpuIndex(TraceReader reader, long top) throws IOException {
        this.reader = reader;
        this.ranges = new TraceRanges(reader);
        this.cpus = reader.cpus().stream().mapToInt(Model.Cpu::cpu).toArray();
        this.done = new boolean[cpus.length];
        this.below = new long[cpus.length];
        java.util.Arrays.fill(below, top);
        for (int i = 0; i < cpus.length; i++) chunks.add(new ArrayList<>());
    }

    /** Whether {@code utid} was running at {@code t} (at most the time given at construction): a slice with ts &lt; t &le; end. */
    boolean running(int utid, long t) throws IOException {
        for (int c = 0; c < cpus.length; c++) {
            ByteBuffer b = chunkBefore(c, t);
            if (b == null) continue;
            // the entry with the largest ts < t
            int lo = 0, hi = b.capacity() / E - 1, k = -1;
            while (lo <= hi) {
                int m = (lo + hi) >>> 1;
                if (b.getLong(m * E) < t) {
                    k = m;
                    lo = m + 1;
                } else {
                    hi = m - 1;
                }
            }
            if (k < 0 || b.getInt(k * E + 16) != utid) continue;
            long ts = b.getLong(k * E), dur = b.getLong(k * E + 8);
            ranges.time(ts, dur, "CPU " + cpus[c] + "'s slice chunk");
            if (t <= ts + dur || b.getShort(k * E + 20) == -1) return true;
        }
        return false;
    }

    /** The newest chunk of CPU index c whose first slice starts before t, fetching older chunks as needed. */
    private ByteBuffer chunkBefore(int c, long t) throws IOException {
        List<ByteBuffer> list = chunks.get(c);
        while (true) {
            // first slice times fall with the index: the chunks starting before t are a suffix; its head is the one
            int lo = 0, hi = list.size();
            while (lo < hi) {
                int m = (lo + hi) >>> 1;
                if (list.get(m).getLong(0) < t) hi = m;
                else lo = m + 1;
            }
            if (lo < list.size()) return list.get(lo);
            if (done[c]) return null;
            load(c);
        }
    }

    private void load(int c) throws IOException {
        List<ByteBuffer> list = chunks.get(c);
        int got = 0;
        try {
            PreparedStatement ps = reader.stmt("SELECT ts, n, data FROM _slice_chunk WHERE cpu = ? AND ts < ? ORDER BY ts DESC LIMIT "
                    + CHUNKS_PER_QUERY);
            ps.setInt(1, cpus[c]);
            ps.setLong(2, below[c]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    below[c] = rs.getLong(1);
                    int n = rs.getInt(2);
                    byte[] data = rs.getBytes(3);
                    ranges.chunk(n, data, SliceChunks.CHUNK, E, "CPU " + cpus[c] + "'s slice chunk");
                    got++;
                    if (n == 0) continue;
                    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                    // a chunk out of order would make the search loop: damage
                    if (!list.isEmpty() && b.getLong(0) >= list.get(list.size() - 1).getLong(0)) {
                        throw ranges.damaged("CPU " + cpus[c] + "'s slice chunks are out of order");
                    }
                    list.add(b);
                }
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("slice chunks", e);
        }
        if (got < CHUNKS_PER_QUERY) done[c] = true;
    }
}
