package dev.kernscope.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Packs each CPU's slices, in start order, into {@code _slice_chunk} BLOB rows of {@link #CHUNK} entries.
 * A chunk still filling is written provisionally at each flush under its final key (its first slice's ts), so
 * a live reader sees every committed slice and the full chunk later replaces the provisional row.
 *
 * <p>Not thread-safe: owned by the {@link TraceWriter}.
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
}
