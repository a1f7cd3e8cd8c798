package dev.kernscope.storage;

import java.util.Arrays;

/**
 * Builds the {@code _slice_lod} mipmap while slices stream in: for every CPU and level it keeps the bucket
 * that is still open and emits it once a slice starts in a later bucket. A row merges all slices of a CPU
 * that start in its bucket; its representative thread is the one of the longest slice.
 *
 * <p>Not thread-safe: owned by the {@link TraceWriter}.
 */
final class SliceLod {
    /** Receives one finished (or provisional) LOD row. */
    interface Sink {
        void row(int level, int cpu, long ts, long dur, int utid, int cnt, long busy);
    }

    private static final int L = Schema.LOD_LEVELS;
    private final Sink sink;
    // Per (cpu * L + level): the open bucket.
    private long[] bucket = new long[0];
    private long[] start = new long[0];
    private long[] end = new long[0];
    private long[] maxDur = new long[0];
    private long[] busy = new long[0];
    private int[] utid = new int[0];
    private int[] cnt = new int[0];

    SliceLod(Sink sink) {
        this.sink = sink;
    }

    void add(int cpu, long ts, long dur, int tid) {
        ensure(cpu);
        long sliceEnd = ts + dur;
        for (int level = 0, i = cpu * L; level < L; level++, i++) {
            long b = ts >> (15 + 2 * level); // ts / Schema.lodBucket(level)
            if (cnt[i] > 0 && b != bucket[i]) {
                emit(level, cpu, i);
                cnt[i] = 0;
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

    /** Emits the open buckets without closing them; the writer's REPLACE makes the final row win. */
    void writeOpen() {
        for (int i = 0; i < cnt.length; i++) {
            if (cnt[i] > 0) emit(i % L, i / L, i);
        }
    }

    void closeAll() {
        writeOpen();
        Arrays.fill(cnt, 0);
    }

    private void emit(int level, int cpu, int i) {
        sink.row(level, cpu, start[i], end[i] - start[i], utid[i], cnt[i], busy[i]);
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
    }
}
