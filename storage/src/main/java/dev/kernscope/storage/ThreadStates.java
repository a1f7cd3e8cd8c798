package dev.kernscope.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A thread's state over time: running (on which CPU), runnable after a preemption or after a wakeup (with the
 * waker and the wait), sleeping, uninterruptible, exited, as intervals with no gaps from its first known
 * state; derived from {@code sched_slice} and {@code wakeup} through their (utid, ts) indexes.
 *
 * <p>Thread-safe: each query holds the reader's lock.
 */
public final class ThreadStates {
    /** Rows one index query reads: a whole page of a thread's slices costs about as much as one. */
    static final int PAGE = 1024;

    /**
     * One state interval of a thread, clipped to the query's window. {@code cpu}: where it ran, was queued
     * or blocked (-1 unknown); {@code wakerUtid}: for a wakeup's wait and the block it ended, the thread that
     * woke it (0 = none or unknown: a preemption, an interrupt, the idle task).
     */
    public record Span(long ts, long dur, int utid, ThreadState state, int cpu, int wakerUtid) {
        public long end() {
            return ts + dur;
        }
    }

    private final TraceReader reader;

    public ThreadStates(TraceReader reader) {
        this.reader = reader;
    }

    /** The state intervals of {@code utid} that overlap [from, to), clipped to it, oldest first. */
    public List<Span> states(int utid, long from, long to) throws IOException {
        synchronized (reader) {
            List<Span> out = new ArrayList<>();
            ThreadTimeline tl = new ThreadTimeline(reader, utid, to, PAGE);
            long cur = to;
            while (cur > from) {
                ThreadTimeline.Interval iv = tl.before(cur);
                if (iv == null) break;
                long a = Math.max(iv.ts(), from);
                if (cur > a) out.add(new Span(a, cur - a, utid, iv.state(), iv.cpu(), iv.waker()));
                cur = iv.ts();
            }
            Collections.reverse(out);
            return out;
        }
    }
}
