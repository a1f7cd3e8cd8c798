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

    /**
     * The off-CPU stacks of {@code utid}'s blocks that began in [from, to): block start → its frames, innermost
     * first, at most {@code maxFrames} of each and {@code maxBlocks} blocks (the longest). For the state track's
     * hover; empty when the trace has no off-CPU stacks.
     */
    public java.util.Map<Long, List<String>> offCpuStacks(int utid, long from, long to, int maxFrames, int maxBlocks)
            throws IOException {
        synchronized (reader) {
            java.util.Map<Long, List<String>> out = new java.util.HashMap<>();
            List<long[]> blocks = new ArrayList<>();
            try {
                java.sql.PreparedStatement ps = reader.stmt("SELECT ts, stack_id, weight FROM stack_sample "
                        + "WHERE ts >= ? AND ts < ? AND kind = 1 AND utid = ? AND stack_id IS NOT NULL");
                ps.setLong(1, from);
                ps.setLong(2, to);
                ps.setInt(3, utid);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) blocks.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
                }
                blocks.sort((x, y) -> Long.compare(y[2], x[2]));
                java.sql.PreparedStatement up = reader.stmt("SELECT s.parent_id, f.name FROM stack s LEFT JOIN frame f "
                        + "ON f.id = s.frame_id WHERE s.id = ?");
                for (int b = 0; b < blocks.size() && b < maxBlocks; b++) {
                    List<String> frames = new ArrayList<>();
                    long id = blocks.get(b)[1];
                    // chains lead to the root through smaller ids (the writer interns callers first): a bounded walk
                    while (id > 0 && frames.size() < maxFrames) {
                        up.setLong(1, id);
                        try (java.sql.ResultSet rs = up.executeQuery()) {
                            if (!rs.next()) break;
                            long parent = rs.getLong(1);
                            frames.add(rs.getString(2) == null ? "?" : rs.getString(2));
                            id = parent < id ? parent : 0;
                        }
                    }
                    out.put(blocks.get(b)[0], frames);
                }
            } catch (java.sql.SQLException e) {
                throw TraceReader.queryError("off-CPU stacks", e);
            }
            return out;
        }
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
