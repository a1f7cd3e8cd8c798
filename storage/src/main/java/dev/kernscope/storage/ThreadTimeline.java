package dev.kernscope.storage;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * One thread's slices and runnable intervals before a time {@code hi}, loaded backwards a page at a time
 * through the (utid, ts) indexes as a walk needs them, and the state interval in force at any time below
 * {@code hi}: running in a slice; after a switch-out, runnable (preempted), exited, or blocked until the
 * wakeup that led to the next switch-in (matched by its {@code run_ts}), then runnable with that waker.
 * Both arrays are kept newest first, so a backward walk only appends.
 *
 * <p>Not thread-safe: used by one query at a time, which holds the reader's lock while it loads.
 */
final class ThreadTimeline {
    /** One state interval [ts, end) with the CPU it concerns and, for a wakeup's two halves, the waker (0 = none). */
    record Interval(long ts, long end, ThreadState state, int cpu, int waker) {}

    private final TraceReader reader;
    private final int utid;
    private final long hi;
    private final int page;
    /** Rows of the next slice page: small on a thread's first visit, doubling while the walk stays, up to page. */
    private int pageNow;
    private static final int FIRST_PAGE = 16;
    // slices with ts < hi, newest first
    private long[] sTs = new long[64], sEnd = new long[64];
    private int[] sCpu = new int[64], sState = new int[64];
    private int ns;
    private boolean slicesDone;
    // runnable intervals with ts in [wLo, hi), newest first
    private long[] wTs = new long[64], wRun = new long[64];
    private int[] wWaker = new int[64], wCpu = new int[64], wReason = new int[64];
    private int nw;
    private long wLo;
    /** The time the walk started from (calls ask for non-increasing times), and the first switch-in at or after it. */
    private long start = Long.MIN_VALUE, top;

    ThreadTimeline(TraceReader reader, int utid, long hi, int page) {
        this.reader = reader;
        this.utid = utid;
        this.hi = hi;
        this.page = page;
    }

    /**
     * Starts (again) from {@code t}: nothing loaded, and the thread's first switch-in at or after t (before
     * {@code hi}) closes the gap the newest loaded slice leaves. A walk that comes back to a thread later in
     * time starts it again; walks go back in time, so that is rare.
     */
    private void restart(long t) throws IOException {
        ns = nw = 0;
        pageNow = FIRST_PAGE;
        slicesDone = false;
        start = t;
        top = hi;
        try {
            PreparedStatement ps = reader.stmt("SELECT ts FROM sched_slice WHERE utid = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT 1");
            ps.setInt(1, utid);
            ps.setLong(2, t);
            ps.setLong(3, hi);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) top = rs.getLong(1);
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("thread slices", e);
        }
        wLo = top == hi ? hi : top + 1;
    }

    int utid() {
        return utid;
    }

    /**
     * The interval [ts, end) with {@code ts < t <= end}: what the thread did just before {@code t} (at most
     * {@code hi}); null when nothing is known that early (before its first slice and the wakeup leading to it).
     */
    Interval before(long t) throws IOException {
        // a walk that comes back to this thread far below what is loaded starts it again rather than page down
        if (t > start || ns > 0 && !slicesDone && sTs[ns - 1] - t > sTs[0] - sTs[ns - 1]) restart(t);
        // the newest slice starting before t, loading older pages until one does
        int i = firstBefore(t);
        while (i < 0 && !slicesDone) {
            loadSlices();
            i = firstBefore(t);
        }
        if (i < 0) {
            if (ns == 0 && top == hi) return null;
            // before its first slice: only the wakeup that led to it is known
            long first = ns == 0 ? top : sTs[ns - 1];
            ensureWakeups(Long.MIN_VALUE);
            int w = wakeupRunningAt(first, Long.MIN_VALUE);
            if (w < 0) return null;
            if (wTs[w] < t) return new Interval(wTs[w], first, wakeState(w), wCpu[w], wWaker[w]);
            // blocked since before anything was recorded of it, until that wakeup
            return new Interval(Long.MIN_VALUE, wTs[w], ThreadState.UNKNOWN, -1, wWaker[w]);
        }
        long ts = sTs[i], end = sEnd[i];
        int state = sState[i];
        if (t <= end || state == -1) return new Interval(ts, Math.max(end, t), ThreadState.RUNNING, sCpu[i], 0);
        long next = i > 0 ? sTs[i - 1] : top;
        ThreadState after = ThreadState.afterSwitchOut(state);
        if (after == ThreadState.EXITED || after == ThreadState.RUNNING) {
            return new Interval(end, Math.max(next, t), after == ThreadState.RUNNING ? ThreadState.UNKNOWN : after, sCpu[i], 0);
        }
        ensureWakeups(ts);
        int w = next < hi ? wakeupRunningAt(next, ts) : lastUnfinishedWakeup(ts);
        if (after == ThreadState.PREEMPTED) {
            return new Interval(end, next, ThreadState.PREEMPTED, w >= 0 ? wCpu[w] : sCpu[i], 0);
        }
        if (w < 0) return new Interval(end, next, after, sCpu[i], 0);
        long woke = Math.max(end, Math.min(wTs[w], next));
        if (t > woke) return new Interval(woke, next, wakeState(w), wCpu[w], wWaker[w]);
        return new Interval(end, woke, after, sCpu[i], wWaker[w]);
    }

    private ThreadState wakeState(int w) {
        return wReason[w] == 2 ? ThreadState.PREEMPTED : ThreadState.WOKEN;
    }

    /** Index of the newest loaded slice starting before t, or -1. */
    private int firstBefore(long t) {
        // sTs is descending: binary search for the first index with sTs < t
        int lo = 0, h = ns;
        while (lo < h) {
            int m = (lo + h) >>> 1;
            if (sTs[m] < t) h = m;
            else lo = m + 1;
        }
        return lo < ns ? lo : -1;
    }

    /** The runnable interval that ended with the switch-in at {@code run} (newest such), looking back to {@code lo}. */
    private int wakeupRunningAt(long run, long lo) {
        for (int k = firstWakeupAtOrBefore(run); k >= 0 && k < nw && wTs[k] >= lo; k++) {
            if (wRun[k] == run) return k;
        }
        return -1;
    }

    /** The newest wakeup after the last slice before {@code hi}: one that ran at or after hi, or never ran. */
    private int lastUnfinishedWakeup(long lo) {
        for (int k = 0; k < nw && wTs[k] >= lo; k++) {
            if (wRun[k] < 0 || wRun[k] >= hi) return k;
        }
        return -1;
    }

    private int firstWakeupAtOrBefore(long t) {
        int lo = 0, h = nw;
        while (lo < h) {
            int m = (lo + h) >>> 1;
            if (wTs[m] <= t) h = m;
            else lo = m + 1;
        }
        return lo;
    }

    private void loadSlices() throws IOException {
        long below = ns == 0 ? start : sTs[ns - 1];
        int got = 0;
        try {
            PreparedStatement ps = reader.stmt("SELECT ts, dur, cpu, end_state FROM sched_slice WHERE utid = ? AND ts < ? "
                    + "ORDER BY ts DESC LIMIT ?");
            ps.setInt(1, utid);
            ps.setLong(2, below);
            ps.setInt(3, pageNow);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ts = rs.getLong(1), dur = rs.getLong(2);
                    if (ts < 0 || ts > TraceFile.MAX_TS || dur < 0 || dur > TraceFile.MAX_TS) {
                        throw reader.damaged("thread " + utid + " has a slice at " + ts + " ns lasting " + dur + " ns");
                    }
                    if (ns == sTs.length) {
                        int c = ns * 2;
                        sTs = Arrays.copyOf(sTs, c);
                        sEnd = Arrays.copyOf(sEnd, c);
                        sCpu = Arrays.copyOf(sCpu, c);
                        sState = Arrays.copyOf(sState, c);
                    }
                    sTs[ns] = ts;
                    sEnd[ns] = ts + dur;
                    sCpu[ns] = rs.getInt(3);
                    sState[ns++] = rs.getInt(4);
                    got++;
                }
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("thread slices", e);
        }
        if (got < pageNow) slicesDone = true;
        pageNow = Math.min(page, pageNow * 2);
    }

    /** Loads runnable intervals down to {@code lo} (all of them for Long.MIN_VALUE). */
    private void ensureWakeups(long lo) throws IOException {
        if (lo >= wLo) return;
        // a page below what is needed, so that walking slice by slice does not query per slice
        long from = lo == Long.MIN_VALUE || slicesDone && ns > 0 && lo <= sTs[ns - 1] ? Long.MIN_VALUE
                : ns > 0 ? Math.min(lo, sTs[ns - 1]) : lo;
        try {
            PreparedStatement ps = reader.stmt("SELECT ts, coalesce(run_ts, -1), coalesce(waker_utid, 0), "
                    + "coalesce(run_cpu, target_cpu), reason FROM wakeup WHERE utid = ? AND ts >= ? AND ts < ? ORDER BY ts DESC");
            ps.setInt(1, utid);
            ps.setLong(2, from);
            ps.setLong(3, wLo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (nw == wTs.length) {
                        int c = nw * 2;
                        wTs = Arrays.copyOf(wTs, c);
                        wRun = Arrays.copyOf(wRun, c);
                        wWaker = Arrays.copyOf(wWaker, c);
                        wCpu = Arrays.copyOf(wCpu, c);
                        wReason = Arrays.copyOf(wReason, c);
                    }
                    wTs[nw] = rs.getLong(1);
                    wRun[nw] = rs.getLong(2);
                    wWaker[nw] = rs.getInt(3);
                    wCpu[nw] = rs.getInt(4);
                    wReason[nw++] = rs.getInt(5);
                }
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("thread wakeups", e);
        }
        wLo = from;
    }
}
