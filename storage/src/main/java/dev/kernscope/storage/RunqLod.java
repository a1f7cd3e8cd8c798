package dev.kernscope.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The run-queue length mipmap ({@code _runq_lod}), built while samples stream in: per CPU and level, one
 * entry per bucket that holds samples, with the bucket's first sample time, its maximum length (what a
 * viewport draws) and the last length (what is in force after it). Chunks of {@link #CHUNK} entries become one
 * BLOB row, written provisionally at each flush like {@link SliceLod}'s.
 *
 * {@link #decode} reads the rows back, with bounds checks, for the {@link TraceReader}.
 *
 * <p>Not thread-safe: the writing side is owned by the {@link TraceWriter}; {@link #decode} is stateless.
 */
final class RunqLod {
    /** Longest run queue a trace may claim: Linux's pid_max limit (4 M tasks). */
    static final int MAX_LEN = 1 << 22;
    static final int CHUNK = 256;
    /** Bytes per entry: ts (i64), max, last (i32). */
    static final int ENTRY = 16;
    private static final int L = Schema.LOD_LEVELS;

    private final SliceLod.Sink sink;
    private final ByteBuffer scratch = ByteBuffer.allocate(CHUNK * ENTRY + ENTRY).order(ByteOrder.LITTLE_ENDIAN);
    private long[] bucket = new long[0], first = new long[0], entries = new long[0], samples = new long[0];
    private int[] max = new int[0], last = new int[0], chunkN = new int[0];
    private boolean[] open = new boolean[0];
    private ByteBuffer[] chunk = new ByteBuffer[0];

    RunqLod(SliceLod.Sink sink) {
        this.sink = sink;
    }

    void add(int cpu, long ts, int len) {
        ensure(cpu);
        samples[cpu]++;
        for (int level = 0, i = cpu * L; level < L; level++, i++) {
            long b = ts >> (15 + 2 * level);
            if (open[i] && b != bucket[i]) close(level, cpu, i);
            if (!open[i]) {
                open[i] = true;
                bucket[i] = b;
                first[i] = ts;
                max[i] = len;
            } else if (len > max[i]) {
                max[i] = len;
            }
            last[i] = len;
        }
    }

    private void close(int level, int cpu, int i) {
        ByteBuffer c = chunk[i];
        if (c == null) c = chunk[i] = ByteBuffer.allocate(CHUNK * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        put(c, chunkN[i] * ENTRY, i);
        open[i] = false;
        entries[i]++;
        if (++chunkN[i] == CHUNK) {
            sink.chunk(level, cpu, c.getLong(0), CHUNK, Arrays.copyOf(c.array(), CHUNK * ENTRY));
            chunkN[i] = 0;
        }
    }

    private void put(ByteBuffer c, int off, int i) {
        c.putLong(off, first[i]);
        c.putInt(off + 8, max[i]);
        c.putInt(off + 12, last[i]);
    }

    void writeOpen() {
        for (int i = 0; i < open.length; i++) {
            int n = chunkN[i];
            if (n == 0 && !open[i]) continue;
            if (n > 0) scratch.put(0, chunk[i], 0, n * ENTRY);
            if (open[i]) put(scratch, n++ * ENTRY, i);
            sink.chunk(i % L, i / L, scratch.getLong(0), n, Arrays.copyOf(scratch.array(), n * ENTRY));
        }
    }

    void closeAll() {
        writeOpen();
        for (int i = 0; i < open.length; i++) if (open[i]) entries[i]++;
        Arrays.fill(open, false);
        Arrays.fill(chunkN, 0);
    }

    /** Per CPU, the finest level whose entries are at most half the CPU's samples (see SliceLod). */
    int[] minUsefulLevels() {
        int[] min = new int[samples.length];
        for (int cpu = 0; cpu < samples.length; cpu++) {
            int level = 0;
            while (level < L - 1 && entries[cpu * L + level] * 2 > samples[cpu]) level++;
            min[cpu] = level;
        }
        return min;
    }

    private void ensure(int cpu) {
        int need = (cpu + 1) * L;
        if (need <= open.length) return;
        int n = Math.max(need, open.length * 2);
        bucket = Arrays.copyOf(bucket, n);
        first = Arrays.copyOf(first, n);
        entries = Arrays.copyOf(entries, n);
        max = Arrays.copyOf(max, n);
        last = Arrays.copyOf(last, n);
        chunkN = Arrays.copyOf(chunkN, n);
        open = Arrays.copyOf(open, n);
        chunk = Arrays.copyOf(chunk, n);
        samples = Arrays.copyOf(samples, n / L);
    }

    /**
     * Appends one chunk's entries in [from, to) to {@code s}; the last entry before {@code from} becomes the
     * value in force at the window's start. Checks the chunk's length, times and lengths first.
     */
    static void decode(int cpu, int n, byte[] data, long from, long to, TraceReader.RunqSeries s, TraceRanges check)
            throws TraceFormatException {
        String where = "CPU " + cpu + "'s run-queue chunk";
        check.chunk(n, data, CHUNK, ENTRY, where);
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, off = 0; i < n; i++, off += ENTRY) {
            long ts = bb.getLong(off);
            int max = bb.getInt(off + 8), last = bb.getInt(off + 12);
            check.time(ts, 0, where);
            if (max < 0 || max > MAX_LEN || last < 0 || last > MAX_LEN) {
                throw check.damaged(where + " has a run queue of " + Math.min(max, last) + "/" + Math.max(max, last) + " tasks");
            }
            if (ts >= to) break;
            if (ts < from) {
                // only the latest entry before the window matters: what is in force when it starts
                if (s.size == 1 && s.ts[0] < from) s.size = 0;
                if (s.size == 0) s.add(ts, last);
                continue;
            }
            s.add(ts, max);
        }
    }
}
