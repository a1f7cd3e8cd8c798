package dev.kernscope.app.adapt;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.TraceFormatException;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.views.model.CounterBlock;
import dev.kernscope.views.model.CpuInfo;
import dev.kernscope.views.model.EventBlock;
import dev.kernscope.views.model.SliceBlock;
import dev.kernscope.views.model.ThreadInfo;
import dev.kernscope.views.model.ThreadState;
import dev.kernscope.views.model.TimelineSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The timeline's {@link TimelineSource} over a {@link TraceReader}: CPU lanes come from the reader's LOD
 * mipmap ({@code slicesLod}), so a window costs O(pixels). An instance is a snapshot with fixed bounds; a live
 * trace gets a new one per refresh ({@link #refreshed}), sharing the reader and the thread table. A query that
 * fails (e.g. while a writer checkpoints) answers empty rather than stopping the timeline's fetch thread;
 * one that finds the file damaged (a {@link TraceFormatException}: what opening the file cannot check, such as a
 * packed chunk deep in the trace) answers empty too, and is told, once per trace, to {@link #onDamage}.
 * Safe to call from any thread: the reader serializes its queries.
 */
public final class ReaderTimelineSource implements TimelineSource {
    private final TraceReader reader;
    private final List<CpuInfo> cpus;
    private final long start, end;
    private volatile Map<Integer, ThreadInfo> threads;
    private final Damage damage; // shared by the snapshots of one trace

    /** The first damage the timeline's queries found in a trace, reported once. */
    private static final class Damage {
        final AtomicBoolean reported = new AtomicBoolean();
        volatile Consumer<TraceFormatException> listener;
        volatile TraceFormatException first;
    }

    private ReaderTimelineSource(TraceReader reader, List<CpuInfo> cpus, Map<Integer, ThreadInfo> threads,
                                 long start, long end, Damage damage) {
        this.reader = reader;
        this.damage = damage;
        this.cpus = cpus;
        this.threads = threads;
        this.start = start;
        this.end = Math.max(end, start + 1);
    }

    /** Reads topology, threads and bounds now. */
    public static ReaderTimelineSource open(TraceReader r) throws IOException {
        long[] b = r.bounds();
        return new ReaderTimelineSource(r, cpuList(r), threadMap(r), b[0], b[1], new Damage());
    }

    /**
     * Tells {@code listener} (on the thread that found it) of the first damage a query of this trace finds,
     * or at once if one was found already; the lanes it would have filled stay empty.
     */
    public void onDamage(Consumer<TraceFormatException> listener) {
        damage.listener = listener;
        if (damage.first != null) report(damage.first);
    }

    private void failed(IOException e) {
        if (!(e instanceof TraceFormatException d)) return; // transient (a checkpoint, a busy file): next fetch
        if (damage.first == null) damage.first = d;
        report(damage.first);
    }

    private void report(TraceFormatException d) {
        Consumer<TraceFormatException> l = damage.listener;
        if (l != null && damage.reported.compareAndSet(false, true)) l.accept(d);
    }

    /**
     * The same trace with new bounds (live refresh); re-reads the thread table when {@code rereadThreads}. A
     * recorder creates its file before it knows the machine: the topology is re-read until it is there, and the
     * start follows the recorder's {@code start_ts}, which it writes with the topology.
     */
    public ReaderTimelineSource refreshed(long[] bounds, boolean rereadThreads) throws IOException {
        List<CpuInfo> c = cpus.isEmpty() ? cpuList(reader) : cpus;
        return new ReaderTimelineSource(reader, c, rereadThreads ? threadMap(reader) : threads, bounds[0], bounds[1], damage);
    }

    private static List<CpuInfo> cpuList(TraceReader r) throws IOException {
        List<CpuInfo> cpus = new ArrayList<>();
        for (Model.Cpu c : r.cpus()) cpus.add(new CpuInfo(c.cpu(), c.node()));
        cpus.sort(Comparator.comparingInt(CpuInfo::node).thenComparingInt(CpuInfo::cpu));
        return List.copyOf(cpus);
    }

    static Map<Integer, ThreadInfo> threadMap(TraceReader r) throws IOException {
        Map<Integer, ThreadInfo> m = new HashMap<>();
        for (Model.Thread t : r.threads()) {
            m.put(t.utid(), new ThreadInfo(t.utid(), t.tid(), t.name(), t.upid() == 0 ? -1 : t.upid(), t.pid(),
                    t.processName()));
        }
        return Map.copyOf(m);
    }

    public TraceReader reader() { return reader; }

    public Map<Integer, ThreadInfo> threads() { return threads; }

    @Override public List<CpuInfo> cpus() { return cpus; }
    @Override public long traceStart() { return start; }
    @Override public long traceEnd() { return end; }
    @Override public ThreadInfo thread(int utid) { return threads.get(utid); }

    @Override
    public SliceBlock slices(int cpu, long from, long to, long nsPerPixel) {
        try {
            return convert(reader.slicesLod(cpu, from, to, nsPerPixel), 1);
        } catch (IOException e) {
            failed(e);
            return SliceBlock.EMPTY;
        }
    }

    @Override
    public SliceBlock threadSlices(int utid, long from, long to, long nsPerPixel) {
        try {
            return convert(reader.threadSlices(utid, from, to), nsPerPixel);
        } catch (IOException e) {
            failed(e);
            return SliceBlock.EMPTY;
        }
    }

    /** Storage block → view block; with {@code bucket > 1}, slices that start in the same bucket are merged. */
    static SliceBlock convert(dev.kernscope.storage.SliceBlock b, long bucket) {
        SliceBlock out = new SliceBlock(b.size());
        long lastKey = Long.MIN_VALUE;
        for (int i = 0; i < b.size(); i++) {
            long key = bucket > 1 ? Math.floorDiv(b.ts[i], bucket) : Long.MIN_VALUE + 1 + i;
            int n = out.size - 1;
            if (key == lastKey && n >= 0) {
                long endTs = Math.max(out.ts[n] + out.dur[n], b.ts[i] + b.dur[i]);
                if (b.dur[i] > out.dur[n] / Math.max(1, out.merged[n])) out.utid[n] = b.utid[i];
                out.dur[n] = endTs - out.ts[n];
                out.merged[n] += b.cnt[i];
                out.endState[n] = ThreadState.UNKNOWN;
                continue;
            }
            lastKey = key;
            out.add(b.ts[i], b.dur[i], b.utid[i], b.cnt[i] > 1 ? ThreadState.UNKNOWN : state(b.endState[i]), -1,
                    Math.max(1, b.cnt[i]));
        }
        return out;
    }

    /** Schema end_state (TASK_* bits at switch-out, 0 preempted, -1 still running) → view code. */
    static byte state(int s) {
        return switch (dev.kernscope.storage.SliceState.of(s)) {
            case RUNNING -> ThreadState.RUNNING;
            case RUNNABLE -> ThreadState.RUNNABLE;
            case SLEEPING -> ThreadState.SLEEPING;
            case UNINTERRUPTIBLE -> ThreadState.UNINTERRUPTIBLE;
            case IDLE -> ThreadState.IDLE;
            case STOPPED -> ThreadState.STOPPED;
            case PARKED -> ThreadState.PARKED;
            case EXITED -> ThreadState.DEAD;
            case UNKNOWN -> ThreadState.UNKNOWN;
        };
    }

    @Override
    public CounterBlock runQueue(int cpu, long from, long to, long nsPerPixel) {
        try {
            TraceReader.RunqSeries s = reader.runqLod(cpu, from, to, nsPerPixel);
            CounterBlock out = new CounterBlock(Math.min(s.size, 4096));
            long bucket = Math.max(1, nsPerPixel);
            long lastKey = Long.MIN_VALUE;
            for (int i = 0; i < s.size; i++) {
                long key = Math.floorDiv(s.ts[i], bucket);
                if (key == lastKey && out.size > 0) {
                    out.value[out.size - 1] = Math.max(out.value[out.size - 1], s.len[i]);
                    continue;
                }
                lastKey = key;
                out.add(s.ts[i], s.len[i]);
            }
            return out;
        } catch (IOException e) {
            failed(e);
            return CounterBlock.EMPTY;
        }
    }

    @Override
    public EventBlock wakeups(int utid, long from, long to) {
        try {
            EventBlock out = new EventBlock(64);
            for (Model.Wakeup w : reader.wakeups(utid, from, to)) {
                out.add(w.ts(), w.runTs() == null ? w.ts() : w.runTs(), w.wakerUtid(), w.targetCpu(), w.reason());
            }
            return out;
        } catch (IOException e) {
            failed(e);
            return EventBlock.EMPTY;
        }
    }

    @Override
    public EventBlock migrations(long from, long to, long nsPerPixel) {
        try {
            EventBlock out = new EventBlock(64);
            long bucket = Math.max(1, nsPerPixel);
            Map<Long, Long> lastPerPair = new HashMap<>();
            for (Model.Migration m : reader.migrations(from, to)) {
                long pair = ((long) m.origCpu() << 32) | (m.destCpu() & 0xffffffffL);
                long key = Math.floorDiv(m.ts(), bucket);
                Long prev = lastPerPair.put(pair, key);
                if (bucket > 1 && prev != null && prev == key) continue;
                out.add(m.ts(), m.ts(), m.utid(), m.origCpu(), m.destCpu());
            }
            return out;
        } catch (IOException e) {
            failed(e);
            return EventBlock.EMPTY;
        }
    }

    @Override
    public EventBlock lostEvents(long from, long to) {
        try {
            EventBlock out = new EventBlock(16);
            for (Model.LostEvents l : reader.lostEvents(from, to)) {
                out.add(l.ts(), l.ts(), l.cpu(), (int) Math.min(Integer.MAX_VALUE, l.count()), 0);
            }
            return out;
        } catch (IOException e) {
            failed(e);
            return EventBlock.EMPTY;
        }
    }
}
