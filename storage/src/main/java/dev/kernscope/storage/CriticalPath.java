package dev.kernscope.storage;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The critical path of a thread over a window: walking back from the window's end, time the thread ran or
 * waited in a run queue is on the path as its own; time it was blocked is replaced by what the thread that
 * woke it did before the wakeup, recursively (Trace Compass's critical flow). A block with no waker that was
 * running at the wakeup (an interrupt, a timer, the idle task) stays on the path as the block. Each thread's
 * slices and wakeups are paged in backwards through the (utid, ts) indexes only as far as the walk reaches.
 * NUMA on the path: hinting faults, pages they migrated and cross-node migrations of each path thread that
 * fall inside its segments.
 *
 * <p>Thread-safe: each query holds the reader's lock.
 */
public final class CriticalPath {
    /** Slices per index query: the walk mostly steps back slice by slice through a few threads. */
    static final int PAGE = 512;
    /** Wakers found off-CPU at their wakeup before the walk checks wakers against every CPU's slices instead. */
    static final int STRAY_WAKERS = 32;
    /** Kernel TNF_MIGRATED: the hinting fault migrated the page. */
    static final int TNF_MIGRATED = 0x01;

    /** One piece of the path: thread {@code utid} in {@code state} (running, runnable or a blocked state) on {@code cpu}. */
    public record Segment(long ts, long dur, int utid, ThreadState state, int cpu) {
        public long end() {
            return ts + dur;
        }
    }

    /**
     * What one thread contributes to the path: time running, runnable and blocked on it, and the NUMA events
     * inside its segments (hinting faults and their pages, pages those faults migrated, migrations between CPUs
     * of different nodes).
     */
    public record ThreadTotal(int utid, long running, long runnable, long blocked, long faults, long faultPages,
                              long migratedPages, long crossNodeMoves) {
        public long total() {
            return running + runnable + blocked;
        }
    }

    /** The path oldest first, and per thread its totals, largest first. */
    public record Result(List<Segment> segments, List<ThreadTotal> threads, List<NumaMark> numa) {}

    /** A NUMA event of a path thread inside its segment: a hinting fault (migrated or not) or a cross-node move. */
    public record NumaMark(long ts, int utid, Kind kind, long pages) {
        public enum Kind { FAULT, MIGRATED_FAULT, CROSS_NODE_MOVE }
    }

    private final TraceReader reader;

    public CriticalPath(TraceReader reader) {
        this.reader = reader;
    }

    /** The critical path of {@code utid} over [from, to), without the NUMA totals (zero in {@link Result#threads}). */
    public List<Segment> segments(int utid, long from, long to) throws IOException {
        return segments(utid, from, to, STRAY_WAKERS);
    }

    /** As {@link #segments(int, long, long)}, switching to the per-CPU check after {@code strayWakers} (tests compare). */
    List<Segment> segments(int utid, long from, long to, int strayWakers) throws IOException {
        synchronized (reader) {
            Map<Integer, ThreadTimeline> timelines = new HashMap<>();
            OnCpuIndex onCpu = strayWakers < 0 ? new OnCpuIndex(reader, to) : null;
            int notRunning = 0;
            List<Segment> out = new ArrayList<>();
            long cur = to;
            int u = utid;
            while (cur > from) {
                ThreadTimeline.Interval iv = timeline(timelines, u, to).before(cur);
                if (iv == null) break;
                ThreadState s = iv.state();
                if (s.blocked() && cur == iv.end() && iv.waker() > 0 && iv.waker() != u) {
                    // the block ended with a wakeup by a thread that was running then: the path goes on in it
                    boolean ran;
                    if (onCpu == null) {
                        // the waker's own states, which the walk reads next when it ran (as it always did in a
                        // consistent recording: the waker is the task that ran the wakeup)
                        ThreadTimeline.Interval w = timeline(timelines, iv.waker(), to).before(cur);
                        ran = w != null && w.state() == ThreadState.RUNNING;
                        // many wakers that were not running (synthetic or filtered traces): ask each CPU instead
                        if (!ran && ++notRunning > strayWakers) onCpu = new OnCpuIndex(reader, cur);
                    } else {
                        ran = onCpu.running(iv.waker(), cur);
                    }
                    if (ran) {
                        u = iv.waker();
                        continue;
                    }
                }
                long a = Math.max(iv.ts(), from);
                if (s != ThreadState.EXITED && cur > a) out.add(new Segment(a, cur - a, u, s, iv.cpu()));
                cur = iv.ts();
            }
            Collections.reverse(out);
            return out;
        }
    }

    /** The critical path of {@code utid} over [from, to) with per-thread totals and NUMA counts. */
    public Result path(int utid, long from, long to) throws IOException {
        synchronized (reader) {
            List<Segment> segs = segments(utid, from, to);
            List<NumaMark> marks = new ArrayList<>();
            return new Result(segs, totals(segs, marks), marks);
        }
    }

    /**
     * The stacks along a path, as a top-down tree: on-CPU samples of its threads inside their running segments,
     * and off-CPU blocks that begin inside their blocked segments, weighted by the time the block stays on the
     * path. Runnable time has no stack. {@code q} is the reader's flame queries (it keeps the stack table).
     */
    public FlameTree flame(List<Segment> segs, FlameQueries q) throws IOException {
        synchronized (reader) {
            FlameQueries.Weights w = new FlameQueries.Weights();
            if (segs.isEmpty()) return q.tree(w);
            Map<Integer, List<Segment>> byThread = new HashMap<>();
            for (Segment s : segs) byThread.computeIfAbsent(s.utid(), k -> new ArrayList<>()).add(s);
            try {
                PreparedStatement ps = reader.stmt("SELECT ts, utid, kind, stack_id, weight FROM stack_sample WHERE ts >= ? AND ts <= ?");
                ps.setLong(1, segs.get(0).ts());
                ps.setLong(2, segs.get(segs.size() - 1).end());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Segment> mine = byThread.get(rs.getInt(2));
                        if (mine == null) continue;
                        long ts = rs.getLong(1);
                        Segment s = containing(mine, ts);
                        if (s == null) continue;
                        boolean onCpu = rs.getInt(3) == 0;
                        if (onCpu != (s.state() == ThreadState.RUNNING) || !onCpu && !s.state().blocked()) continue;
                        long weight = onCpu ? rs.getLong(5) : Math.min(rs.getLong(5), s.end() - ts);
                        w.sum(rs.getLong(4), weight);
                    }
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("critical path stacks", e);
            }
            return q.tree(w);
        }
    }

    private static Segment containing(List<Segment> segs, long ts) {
        int lo = 0, hi = segs.size() - 1;
        while (lo <= hi) {
            int m = (lo + hi) >>> 1;
            Segment s = segs.get(m);
            if (ts < s.ts()) hi = m - 1;
            else if (ts >= s.end()) lo = m + 1;
            else return s;
        }
        return null;
    }

    private ThreadTimeline timeline(Map<Integer, ThreadTimeline> m, int utid, long hi) {
        return m.computeIfAbsent(utid, u -> new ThreadTimeline(reader, u, hi, PAGE));
    }

    private List<ThreadTotal> totals(List<Segment> segs, List<NumaMark> marks) throws IOException {
        Map<Integer, long[]> acc = new LinkedHashMap<>();
        Map<Integer, List<Segment>> byThread = new HashMap<>();
        for (Segment s : segs) {
            long[] a = acc.computeIfAbsent(s.utid(), k -> new long[7]);
            a[s.state() == ThreadState.RUNNING ? 0 : s.state().runnable() ? 1 : 2] += s.dur();
            byThread.computeIfAbsent(s.utid(), k -> new ArrayList<>()).add(s);
        }
        if (!segs.isEmpty()) {
            long lo = segs.get(0).ts(), hi = segs.get(segs.size() - 1).end();
            Map<Integer, Integer> nodeOf = new HashMap<>();
            for (Model.Cpu c : reader.cpus()) nodeOf.put(c.cpu(), c.node());
            try {
                PreparedStatement f = reader.stmt("SELECT ts, utid, pages, flags FROM numa_fault WHERE ts >= ? AND ts <= ?");
                f.setLong(1, lo);
                f.setLong(2, hi);
                try (ResultSet rs = f.executeQuery()) {
                    while (rs.next()) {
                        int u = rs.getInt(2);
                        if (!inside(byThread.get(u), rs.getLong(1))) continue;
                        long[] a = acc.get(u);
                        a[3]++;
                        a[4] += rs.getLong(3);
                        boolean migrated = (rs.getInt(4) & TNF_MIGRATED) != 0;
                        if (migrated) a[5] += rs.getLong(3);
                        marks.add(new NumaMark(rs.getLong(1), u, migrated ? NumaMark.Kind.MIGRATED_FAULT : NumaMark.Kind.FAULT,
                                rs.getLong(3)));
                    }
                }
                PreparedStatement m = reader.stmt("SELECT ts, utid, orig_cpu, dest_cpu FROM migration WHERE ts >= ? AND ts <= ?");
                m.setLong(1, lo);
                m.setLong(2, hi);
                try (ResultSet rs = m.executeQuery()) {
                    while (rs.next()) {
                        int u = rs.getInt(2);
                        Integer from = nodeOf.get(rs.getInt(3)), to = nodeOf.get(rs.getInt(4));
                        if (from == null || to == null || from.equals(to) || !inside(byThread.get(u), rs.getLong(1))) continue;
                        acc.get(u)[6]++;
                        marks.add(new NumaMark(rs.getLong(1), u, NumaMark.Kind.CROSS_NODE_MOVE, 0));
                    }
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("critical path NUMA events", e);
            }
            marks.sort(java.util.Comparator.comparingLong(NumaMark::ts));
        }
        List<ThreadTotal> out = new ArrayList<>();
        for (Map.Entry<Integer, long[]> e : acc.entrySet()) {
            long[] a = e.getValue();
            out.add(new ThreadTotal(e.getKey(), a[0], a[1], a[2], a[3], a[4], a[5], a[6]));
        }
        out.sort((x, y) -> x.total() != y.total() ? Long.compare(y.total(), x.total()) : Integer.compare(x.utid(), y.utid()));
        return out;
    }

    /** Whether {@code ts} falls in one of a thread's path segments (oldest first), ends included. */
    private static boolean inside(List<Segment> segs, long ts) {
        if (segs == null) return false;
        int lo = 0, hi = segs.size() - 1;
        while (lo <= hi) {
            int m = (lo + hi) >>> 1;
            Segment s = segs.get(m);
            if (ts < s.ts()) hi = m - 1;
            else if (ts > s.end()) lo = m + 1;
            else return true;
        }
        return false;
    }
}
