package dev.kernscope.views.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TimelineSource} over arrays in memory, with its own mipmaps so that queries cost O(pixels). Used by
 * tests, the benchmark and as the reference for storage-backed sources. Build with {@link #builder()};
 * immutable afterwards and safe to query from any thread.
 */
public final class InMemoryTimelineSource implements TimelineSource {
    private final List<CpuInfo> cpus;
    private final long start, end;
    private final Map<Integer, ThreadInfo> threads;
    private final Map<Integer, SliceMipmap> cpuSlices = new HashMap<>();
    private final Map<Integer, SliceMipmap> threadSlices = new HashMap<>();
    private final Map<Integer, CounterMipmap> runq = new HashMap<>();
    private final Map<Integer, EventBlock> wakeups;
    private final EventBlock migrations;
    private final EventBlock lost;

    private InMemoryTimelineSource(Builder b) {
        this.cpus = List.copyOf(b.cpus);
        long s = Long.MAX_VALUE, e = Long.MIN_VALUE;
        for (SliceBlock sb : b.slices.values()) {
            if (sb.size > 0) { s = Math.min(s, sb.ts[0]); e = Math.max(e, sb.ts[sb.size - 1] + sb.dur[sb.size - 1]); }
        }
        if (b.start != null) s = b.start;
        if (b.end != null) e = b.end;
        if (s == Long.MAX_VALUE) { s = 0; e = 1; }
        this.start = s;
        this.end = Math.max(e, s + 1);
        long span = end - start;
        this.threads = Map.copyOf(b.threads);
        Map<Integer, SliceBlock> perThread = new HashMap<>();
        for (var en : b.slices.entrySet()) {
            SliceBlock sb = sortByTs(en.getValue());
            cpuSlices.put(en.getKey(), new SliceMipmap(sb, span));
            for (int i = 0; i < sb.size; i++) {
                perThread.computeIfAbsent(sb.utid[i], k -> new SliceBlock(16))
                        .add(sb.ts[i], sb.dur[i], sb.utid[i], sb.endState[i], sb.latency[i], 1);
            }
        }
        for (var en : perThread.entrySet()) threadSlices.put(en.getKey(), new SliceMipmap(sortByTs(en.getValue()), span));
        for (var en : b.runq.entrySet()) runq.put(en.getKey(), new CounterMipmap(en.getValue(), span));
        this.wakeups = new HashMap<>();
        for (var en : b.wakeups.entrySet()) wakeups.put(en.getKey(), sortByTs(en.getValue()));
        this.migrations = sortByTs(b.migrations);
        this.lost = sortByTs(b.lost);
    }

    public static Builder builder() { return new Builder(); }

    @Override public List<CpuInfo> cpus() { return cpus; }
    @Override public long traceStart() { return start; }
    @Override public long traceEnd() { return end; }
    @Override public ThreadInfo thread(int utid) { return threads.get(utid); }

    /** All known threads, for fixtures and pickers. */
    public Map<Integer, ThreadInfo> threads() { return threads; }

    @Override
    public SliceBlock slices(int cpu, long from, long to, long nsPerPixel) {
        SliceMipmap m = cpuSlices.get(cpu);
        return m == null ? SliceBlock.EMPTY : m.query(from, to, nsPerPixel);
    }

    @Override
    public SliceBlock threadSlices(int utid, long from, long to, long nsPerPixel) {
        SliceMipmap m = threadSlices.get(utid);
        return m == null ? SliceBlock.EMPTY : m.query(from, to, nsPerPixel);
    }

    @Override
    public CounterBlock runQueue(int cpu, long from, long to, long nsPerPixel) {
        CounterMipmap m = runq.get(cpu);
        return m == null ? CounterBlock.EMPTY : m.query(from, to, nsPerPixel);
    }

    @Override
    public EventBlock wakeups(int utid, long from, long to) {
        EventBlock w = wakeups.get(utid);
        return w == null ? EventBlock.EMPTY : window(w, from, to, 1);
    }

    @Override
    public EventBlock migrations(long from, long to, long nsPerPixel) { return window(migrations, from, to, nsPerPixel); }

    @Override
    public EventBlock lostEvents(long from, long to) { return window(lost, from, to, 1); }

    /** Events in the window; with a bucket above 1 ns, only the first event per bucket and (b, c) pair. */
    private static EventBlock window(EventBlock e, long from, long to, long bucket) {
        int lo = 0, hi = e.size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Math.max(e.ts[mid], e.ts2[mid]) < from) lo = mid + 1; else hi = mid;
        }
        // wakeup intervals can start before from; back up over the ones that still reach into the window
        while (lo > 0 && e.ts2[lo - 1] >= from) lo--;
        EventBlock out = new EventBlock(16);
        long lastKey = Long.MIN_VALUE;
        for (int i = lo; i < e.size && e.ts[i] < to; i++) {
            long key = Math.floorDiv(e.ts[i], Math.max(1, bucket));
            if (bucket > 1 && key == lastKey) continue;
            lastKey = key;
            out.add(e.ts[i], e.ts2[i], e.a[i], e.b[i], e.c[i]);
        }
        return out;
    }

    private static SliceBlock sortByTs(SliceBlock s) {
        boolean sorted = true;
        for (int i = 1; i < s.size && sorted; i++) sorted = s.ts[i - 1] <= s.ts[i];
        if (sorted) return s;
        Integer[] idx = new Integer[s.size];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (x, y) -> Long.compare(s.ts[x], s.ts[y]));
        SliceBlock out = new SliceBlock(s.size);
        for (int i : idx) out.add(s.ts[i], s.dur[i], s.utid[i], s.endState[i], s.latency[i], s.merged[i]);
        return out;
    }

    private static EventBlock sortByTs(EventBlock s) {
        Integer[] idx = new Integer[s.size];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (x, y) -> Long.compare(s.ts[x], s.ts[y]));
        EventBlock out = new EventBlock(s.size);
        for (int i : idx) out.add(s.ts[i], s.ts2[i], s.a[i], s.b[i], s.c[i]);
        return out;
    }

    /** Collects events in any order; {@link #build()} sorts them. Not thread-safe. */
    public static final class Builder {
        private final List<CpuInfo> cpus = new ArrayList<>();
        private final Map<Integer, ThreadInfo> threads = new HashMap<>();
        private final Map<Integer, SliceBlock> slices = new HashMap<>();
        private final Map<Integer, CounterBlock> runq = new HashMap<>();
        private final Map<Integer, EventBlock> wakeups = new HashMap<>();
        private final EventBlock migrations = new EventBlock(16);
        private final EventBlock lost = new EventBlock(16);
        private Long start, end;

        public Builder cpu(int cpu, int node) { cpus.add(new CpuInfo(cpu, node)); return this; }

        public Builder thread(ThreadInfo t) { threads.put(t.utid(), t); return this; }

        /** Overrides the trace extent computed from the slices. */
        public Builder bounds(long traceStart, long traceEnd) { start = traceStart; end = traceEnd; return this; }

        /** A slice on a CPU; slices of one CPU must not overlap. {@code latency} is -1 when unknown. */
        public Builder slice(int cpu, long ts, long dur, int utid, byte endState, long latency) {
            slices.computeIfAbsent(cpu, k -> new SliceBlock(1024)).add(ts, dur, utid, endState, latency, 1);
            return this;
        }

        /** Run-queue length of {@code cpu} from {@code ts} on; add in time order per CPU. */
        public Builder runQueue(int cpu, long ts, int len) {
            runq.computeIfAbsent(cpu, k -> new CounterBlock(1024)).add(ts, len);
            return this;
        }

        public Builder wakeup(int utid, long wakeTs, long runTs, int wakerUtid, int cpu) {
            wakeups.computeIfAbsent(utid, k -> new EventBlock(16)).add(wakeTs, runTs, wakerUtid, cpu, 0);
            return this;
        }

        public Builder migration(long ts, int utid, int fromCpu, int toCpu) {
            migrations.add(ts, ts, utid, fromCpu, toCpu);
            return this;
        }

        public Builder lost(long ts, int cpu, int count) {
            lost.add(ts, ts, cpu, count, 0);
            return this;
        }

        public InMemoryTimelineSource build() {
            Collections.sort(cpus, (a, b) -> a.node() != b.node() ? Integer.compare(a.node(), b.node()) : Integer.compare(a.cpu(), b.cpu()));
            return new InMemoryTimelineSource(this);
        }
    }
}
