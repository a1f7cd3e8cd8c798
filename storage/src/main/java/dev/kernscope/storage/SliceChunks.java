package dev.kernscope.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Packs each CPU's slices, in start order, into {@code _slice_chunk} BLOB rows of {@link #CHUNK} entries.
 * A chunk still filling is written provisionally at each flush under its final key (its first slice's ts), so
 * a live reader sees every committed slice and the full chunk later replaces the provisional row.
 *
 * {@link #decode} reads the rows back, with bounds checks, for the {@link TraceReader}.
 *
 * <p>Not thread-safe: the writing side is owned by the {@link TraceWriter}; {@link #decode} is stateless.
 */
final class SliceChunks {
    static final int CHUNK = 256;
    /** Bytes per entry: ts, dur (i64), utid (i32), end_state, prio (i16). */
    static final int ENTRY = 24;

    interface Sink {
        void chunk(int cpu, long ts, long endTs, int n, byte[] data);
    }

    private final Sink sink;
    private ByteBuffer[] buf = new ByteBuffer[0];
    private int[] n = new int[0];
    private long[] endTs = new long[0];
    private boolean[] dirty = new boolean[0];

    SliceChunks(Sink sink) {
        this.sink = sink;
    }

    void add(int cpu, long ts, long dur, int utid, int endState, int prio) {
        if (cpu >= n.length) grow(cpu);
        ByteBuffer b = buf[cpu];
        if (b == null) b = buf[cpu] = ByteBuffer.allocate(CHUNK * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        int off = n[cpu] * ENTRY;
        b.putLong(off, ts);
        b.putLong(off + 8, dur);
        b.putInt(off + 16, utid);
        b.putShort(off + 20, (short) endState);
        b.putShort(off + 22, (short) prio);
        endTs[cpu] = Math.max(n[cpu] == 0 ? Long.MIN_VALUE : endTs[cpu], ts + dur);
        dirty[cpu] = true;
        if (++n[cpu] == CHUNK) {
            emit(cpu);
            n[cpu] = 0;
            dirty[cpu] = false;
        }
    }

    /** Writes every chunk that changed since the last call, provisionally if it is not full. */
    void writeOpen() {
        for (int cpu = 0; cpu < n.length; cpu++) {
            if (dirty[cpu] && n[cpu] > 0) emit(cpu);
            dirty[cpu] = false;
        }
    }

    private void emit(int cpu) {
        ByteBuffer b = buf[cpu];
        sink.chunk(cpu, b.getLong(0), endTs[cpu], n[cpu], Arrays.copyOf(b.array(), n[cpu] * ENTRY));
    }

    private void grow(int cpu) {
        int len = Math.max(cpu + 1, n.length * 2);
        buf = Arrays.copyOf(buf, len);
        n = Arrays.copyOf(n, len);
        endTs = Arrays.copyOf(endTs, len);
        dirty = Arrays.copyOf(dirty, len);
    }

    /**
     * Appends the slices of one packed chunk that overlap [from, to) to {@code b}, after checking the chunk's
     * length, every thread id and every time against the trace's ranges.
     */
    static void decode(int n, byte[] data, long from, long to, SliceBlock b, TraceRanges check)
            throws TraceFormatException {
        String where = "CPU " + b.cpu + "'s slice chunk";
        check.chunk(n, data, CHUNK, ENTRY, where);
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, off = 0; i < n; i++, off += ENTRY) {
            long ts = bb.getLong(off), dur = bb.getLong(off + 8);
            check.time(ts, dur, where);
            if (ts >= to) break;
            if (ts + dur <= from && !(dur == 0 && ts >= from)) continue;
            int utid = bb.getInt(off + 16);
            check.utid(utid, where);
            b.add(ts, dur, utid, 1, dur, bb.getShort(off + 20));
        }
    }
}
