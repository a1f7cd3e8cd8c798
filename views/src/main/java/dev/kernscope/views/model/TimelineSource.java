package dev.kernscope.views.model;

import java.util.List;

/**
 * What the timeline reads: CPU topology, thread names and scheduling data for a window at a resolution.
 * Implementations must be safe to call from a background thread (the timeline fetches off the FX thread, one
 * request at a time) and should answer in time proportional to the pixels asked for, not to the events in the
 * window: {@code nsPerPixel} lets them return one representative entry per pixel bucket (a Perfetto-style
 * mipmap). The storage-backed adapter lives in the app module; {@link InMemoryTimelineSource} is the reference.
 */
public interface TimelineSource {
    /** CPUs in display order, each with its NUMA node. */
    List<CpuInfo> cpus();

    long traceStart();

    long traceEnd();

    /** Names for a thread, or null when unknown. */
    ThreadInfo thread(int utid);

    /**
     * Slices that ran on {@code cpu} overlapping {@code [from, to)}, at most about one entry per
     * {@code nsPerPixel} bucket; short slices that share a bucket are merged into one entry.
     */
    SliceBlock slices(int cpu, long from, long to, long nsPerPixel);

    /** Slices of one thread on any CPU overlapping {@code [from, to)}, bucketed like {@link #slices}. */
    SliceBlock threadSlices(int utid, long from, long to, long nsPerPixel);

    /** Run-queue length samples of {@code cpu} (step series); per bucket the maximum is kept. */
    CounterBlock runQueue(int cpu, long from, long to, long nsPerPixel);

    /** Wakeups of one thread in the window: {@code ts} = wakeup, {@code ts2} = run start, a = waker utid, b = cpu. */
    EventBlock wakeups(int utid, long from, long to);

    /** Migrations in the window: a = utid, b = from cpu, c = to cpu. */
    EventBlock migrations(long from, long to, long nsPerPixel);

    /** Lost-event records in the window: a = cpu, b = lost count. */
    EventBlock lostEvents(long from, long to);
}
