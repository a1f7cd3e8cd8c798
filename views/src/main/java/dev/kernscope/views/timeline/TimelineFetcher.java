package dev.kernscope.views.timeline;

import dev.kernscope.views.model.CounterBlock;
import dev.kernscope.views.model.CpuInfo;
import dev.kernscope.views.model.EventBlock;
import dev.kernscope.views.model.SliceBlock;
import dev.kernscope.views.model.TimelineSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.application.Platform;

/**
 * Fetches a window from a {@link TimelineSource} on one background thread. Latest request wins: a request that
 * is superseded before it starts is skipped. One superseded while it ran is still handed over, marked stale: a
 * live trace asks again at every refresh, and on a slow disk every answer would be superseded before it arrived,
 * leaving the lanes empty for as long as the recording grows. Results arrive on the FX thread. {@link #request}
 * may be called from any thread.
 */
final class TimelineFetcher {
    /**
     * One fetched window: blocks for the CPUs {@code cpuFrom .. cpuFrom + slices.length} (indexes into
     * {@code source.cpus()}, the lanes on screen plus a margin) plus markers. Immutable once delivered.
     */
    record Frame(TimelineSource source, long from, long to, long nsPerPixel, int cpuFrom, SliceBlock[] slices, CounterBlock[] runq,
                 SliceBlock[] pinned, int[] pinnedUtids, EventBlock wakeups, int wakeupUtid, EventBlock migrations,
                 EventBlock lost, SliceBlock[] overview, long overviewNsPerPixel) {}

    private static final ExecutorService POOL = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kernscope-timeline-fetch");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong generation = new AtomicLong();
    /** Receives a frame and whether it answers the latest request (else it is stale, but better than nothing). */
    interface Delivery { void accept(Frame frame, boolean latest); }

    private final Delivery deliver;

    TimelineFetcher(Delivery deliver) { this.deliver = deliver; }

    /** True if this frame holds blocks for every CPU index in {@code [from, to)}. */
    static boolean holdsCpus(Frame f, int from, int to) {
        return from >= to || (f.cpuFrom() <= from && f.cpuFrom() + f.slices().length >= to);
    }

    /**
     * Asks for a window of the CPUs {@code [cpuFrom, cpuTo)}; {@code overviewPx > 0} also refreshes the
     * whole-trace overview (all CPUs).
     */
    void request(TimelineSource src, long from, long to, long npp, int cpuFrom, int cpuTo, int[] pinnedUtids, int wakeupUtid,
                 SliceBlock[] overview, long overviewNpp, int overviewPx) {
        request(src, from, to, npp, cpuFrom, cpuTo, pinnedUtids, wakeupUtid, overview, overviewNpp, overviewPx, false);
    }

    /**
     * As above; with {@code lanesFirst} (nothing is on screen yet) the lanes are handed over, as a stale frame, as
     * soon as they are read, before the whole-trace overview and the markers.
     */
    void request(TimelineSource src, long from, long to, long npp, int cpuFrom, int cpuTo, int[] pinnedUtids, int wakeupUtid,
                 SliceBlock[] overview, long overviewNpp, int overviewPx, boolean lanesFirst) {
        long gen = generation.incrementAndGet();
        POOL.execute(() -> {
            if (generation.get() != gen) return;
            Frame lanes = lanes(src, from, to, npp, cpuFrom, cpuTo, pinnedUtids, wakeupUtid);
            if (lanesFirst) Platform.runLater(() -> deliver.accept(lanes, false));
            Frame f = complete(lanes, overview, overviewNpp, overviewPx);
            Platform.runLater(() -> deliver.accept(f, generation.get() == gen));
        });
    }

    static Frame fetch(TimelineSource src, long from, long to, long npp, int cpuFrom, int cpuTo, int[] pinnedUtids,
                       int wakeupUtid, SliceBlock[] overview, long overviewNpp, int overviewPx) {
        return complete(lanes(src, from, to, npp, cpuFrom, cpuTo, pinnedUtids, wakeupUtid), overview, overviewNpp, overviewPx);
    }

    /** The lanes, run queues, pinned lanes and wakeups of a window; no markers, no overview. */
    private static Frame lanes(TimelineSource src, long from, long to, long npp, int cpuFrom, int cpuTo, int[] pinnedUtids,
                               int wakeupUtid) {
        List<CpuInfo> cpus = src.cpus();
        SliceBlock[] sl = new SliceBlock[Math.max(0, cpuTo - cpuFrom)];
        CounterBlock[] rq = new CounterBlock[sl.length];
        for (int i = 0; i < sl.length; i++) {
            int cpu = cpus.get(cpuFrom + i).cpu();
            sl[i] = src.slices(cpu, from, to, npp);
            rq[i] = src.runQueue(cpu, from, to, npp);
        }
        SliceBlock[] pinned = new SliceBlock[pinnedUtids.length];
        for (int i = 0; i < pinned.length; i++) pinned[i] = src.threadSlices(pinnedUtids[i], from, to, npp);
        EventBlock wk = wakeupUtid >= 0 ? src.wakeups(wakeupUtid, from, to) : EventBlock.EMPTY;
        return new Frame(src, from, to, npp, cpuFrom, sl, rq, pinned, pinnedUtids, wk, wakeupUtid, EventBlock.EMPTY,
                EventBlock.EMPTY, null, 0);
    }

    /** {@code lanes} with the migration and lost-event markers and the overview (re-read when {@code overviewPx > 0}). */
    private static Frame complete(Frame lanes, SliceBlock[] overview, long overviewNpp, int overviewPx) {
        TimelineSource src = lanes.source();
        List<CpuInfo> cpus = src.cpus();
        long from = lanes.from(), to = lanes.to(), npp = lanes.nsPerPixel();
        if (overviewPx > 0) {
            long start = src.traceStart(), end = src.traceEnd();
            overviewNpp = Math.max(1, (end - start) / overviewPx);
            overview = new SliceBlock[cpus.size()];
            for (int i = 0; i < overview.length; i++) overview[i] = src.slices(cpus.get(i).cpu(), start, end, overviewNpp);
        }
        return new Frame(src, from, to, npp, lanes.cpuFrom(), lanes.slices(), lanes.runq(), lanes.pinned(),
                lanes.pinnedUtids(), lanes.wakeups(), lanes.wakeupUtid(), src.migrations(from, to, npp),
                src.lostEvents(from, to), overview, overviewNpp);
    }
}
