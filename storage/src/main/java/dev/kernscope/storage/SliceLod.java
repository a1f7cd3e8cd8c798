package dev.kernscope.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Builds the {@code _slice_lod} mipmap while slices stream in: for every CPU and level it keeps the bucket
 * that is still open and appends it to the level's current chunk once a slice starts in a later bucket. An
 * entry merges all slices of a CPU that start in its bucket; its representative thread is the one of the
 * longest slice. Chunks of {@link #CHUNK} entries become one BLOB row.
 *
 * {@link #decode} reads the rows back, with bounds checks, for the {@link TraceReader}.
 *
 * <p>Not thread-safe: the writing side is owned by the {@link TraceWriter}; {@link #decode} is stateless.
 */
final class SliceLod {
    /** Entries per BLOB row. */
    static final int CHUNK = 128;
    /** Bytes per packed entry: ts, dur, busy (i64), utid, cnt (i32). */
    static final int ENTRY = 32;

    /** Receives one chunk row (final, or provisional: a later call with the same key replaces it). */
    interface Sink {
        void chunk(int level, int cpu, long ts, int n, byte[] data);
    }

    private static final int L = Schema.LOD_LEVELS;
    private final Sink sink;
    private final ByteBuffer scratch = ByteBuffer.allocate(CHUNK * ENTRY + ENTRY).order(ByteOrder.LITTLE_ENDIAN);
    // Per (cpu * L + level): the open bucket ...
    private long[] bucket = new long[0];
    private long[] start = new long[0];
    private long[] end = new long[0];
    private long[] maxDur = new long[0];
    private long[] busy = new long[0];
    private int[] utid = new int[0];
    private int[] cnt = new int[0];
    // ... and the chunk of closed entries not yet written for good.
    private ByteBuffer[] chunk = new ByteBuffer[0];
    private int[] chunkN = new int[0];
    // Entries closed so far per (cpu * L + level), and slices per CPU: what finish() weighs to prune levels.
    private long[] entries = new long[0];
    private long[] slices = new long[0];

    SliceLod(Sink sink) {
        this.sink = sink;
    }

    void add(int cpu, long ts, long dur, int tid) {
        ensure(cpu);
        slices[cpu]++;
        long sliceEnd = ts + dur;
        for (int level = 0, i = cpu * L; level < L; level++, i++) {
            long b = ts >> (15 + 2 * level); // ts / Schema.lodBucket(level)
            if (cnt[i] > 0 && b != bucket[i]) {
                closeBucket(level, cpu, i);
            }
            if (cnt[i] == 0) {
                bucket[i] = b;
                start[i] = ts;
                end[i] = sliceEnd;
                maxDur[i] = dur;
                utid[i] = tid;
                busy[i] = dur;
                cnt[i] = 1;
            } else {
                if (sliceEnd > end[i]) end[i] = sliceEnd;
                if (dur > maxDur[i]) {
                    maxDur[i] = dur;
                    utid[i] = tid;
                }
                busy[i] += dur;
                cnt[i]++;
            }
        }
    }

    private void closeBucket(int level, int cpu, int i) {
        ByteBuffer c = chunk[i];
        if (c == null) c = chunk[i] = ByteBuffer.allocate(CHUNK * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        put(c, chunkN[i] * ENTRY, i);
        cnt[i] = 0;
        entries[i]++;
        if (++chunkN[i] == CHUNK) {
            sink.chunk(level, cpu, c.getLong(0), CHUNK, Arrays.copyOf(c.array(), CHUNK * ENTRY));
            chunkN[i] = 0;
        }
    }

    private void put(ByteBuffer c, int off, int i) {
        c.putLong(off, start[i]);
        c.putLong(off + 8, end[i] - start[i]);
        c.putLong(off + 16, busy[i]);
        c.putInt(off + 24, utid[i]);
        c.putInt(off + 28, cnt[i]);
    }

    /**
     * Writes every unfinished chunk with its open bucket appended, as provisional rows: the chunk keeps its
     * key (the ts of its first entry), so the final row replaces them.
     */
    void writeOpen() {
        for (int i = 0; i < cnt.length; i++) {
            int n = chunkN[i];
            if (n == 0 && cnt[i] == 0) continue;
            if (n > 0) scratch.put(0, chunk[i], 0, n * ENTRY);
            if (cnt[i] > 0) put(scratch, n++ * ENTRY, i);
            sink.chunk(i % L, i / L, scratch.getLong(0), n, Arrays.copyOf(scratch.array(), n * ENTRY));
        }
    }

    /** Closes every bucket and writes every chunk for good. */
    void closeAll() {
        writeOpen();
        for (int i = 0; i < cnt.length; i++) if (cnt[i] > 0) entries[i]++;
        Arrays.fill(cnt, 0);
        Arrays.fill(chunkN, 0);
    }

    /**
     * Per CPU, the finest level worth keeping once the recording is complete: the first whose entries are at
     * most half the CPU's slices. Finer levels merge almost nothing, so reading raw slices there costs at most
     * twice as much, and dropping them saves most of the mipmap's space.
     */
    int[] minUsefulLevels() {
        int cpus = slices.length;
        int[] min = new int[cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            int level = 0;
            while (level < L - 1 && entries[cpu * L + level] * 2 > slices[cpu]) level++;
            min[cpu] = level;
        }
        return min;
    }

    private void ensure(int cpu) {
        int need = (cpu + 1) * L;
        if (need <= cnt.length) return;
        int n = Math.max(need, cnt.length * 2);
        bucket = Arrays.copyOf(bucket, n);
        start = Arrays.copyOf(start, n);
        end = Arrays.copyOf(end, n);
        maxDur = Arrays.copyOf(maxDur, n);
        busy = Arrays.copyOf(busy, n);
        utid = Arrays.copyOf(utid, n);
        cnt = Arrays.copyOf(cnt, n);
        chunk = Arrays.copyOf(chunk, n);
        chunkN = Arrays.copyOf(chunkN, n);
        entries = Arrays.copyOf(entries, n);
        slices = Arrays.copyOf(slices, n / L);
    }

    /**
     * Appends the entries of one packed chunk that overlap [from, to) to {@code b} as merged rows (end state
     * -2), after checking the chunk's length and every entry against the trace's ranges.
     */
    static void decode(int n, byte[] data, long from, long to, SliceBlock b, TraceRanges check)
            throws TraceFormatException {
        String where = "CPU " + b.cpu + "'s level-of-detail chunk";
        check.chunk(n, data, CHUNK, ENTRY, where);
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, off = 0; i < n; i++, off += ENTRY) {
            long ts = bb.getLong(off), dur = bb.getLong(off + 8), busy = bb.getLong(off + 16);
            check.time(ts, dur, where);
            check.time(ts, busy, where);
            if (ts >= to) break;
            if (ts + dur <= from) continue;
            int utid = bb.getInt(off + 24), cnt = bb.getInt(off + 28);
            check.utid(utid, where);
            if (cnt < 1) throw check.damaged(where + " has an entry merging " + cnt + " slices");
            b.add(ts, dur, utid, cnt, busy, -2);
        }
    }
}
