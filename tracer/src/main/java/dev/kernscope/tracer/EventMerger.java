package dev.kernscope.tracer;

import java.io.IOException;

/**
 * Puts the scheduler events back into time order for {@link SchedModel}. The kernel sends switches,
 * wakeups and migrations in per-CPU batches: each CPU's events in order, but a CPU's batch can arrive long
 * after later events of other CPUs. Fork, exec, exit and rename come one record each, in ring order. The
 * reader inserts {@link SchedEvent#MARK}s: a mark at {@code t} says that every event stamped before
 * {@code t} has been read (it had every CPU send its partial batch after {@code t}, then drained the ring to
 * where it stood). So events are queued per CPU and released, merged by time, up to each mark.
 *
 * <p>A batched event older than its CPU's previous one cannot be in order (two writers interleaved on that
 * CPU's batch): it is dropped and counted in {@link #disordered}. An event older than a mark already passed
 * (a CPU that came online between flushes) is applied at the next mark and counted in {@link #late}.
 *
 * <p>Memory is bounded whatever the event rate: at most {@code limit} events wait. Past it the merger first
 * releases up to its <em>horizon</em>, the oldest of the expected CPUs' last events (each CPU's batches come
 * in order, and a single event is stamped after its reserve, so nothing older can still arrive); if one CPU
 * is quiet and the horizon does not move, it releases the oldest events anyway ({@link #forced}) and
 * whatever then arrives older is applied late and counted. The reader cannot hand over more than its pool
 * of batches, so a slow writer leaves events in the ring buffer, where the kernel counts what it drops.
 * Not thread-safe: lives on the writer thread.
 */
final class EventMerger {
    /** Receives released events, oldest first. */
    interface Sink {
        void accept(EventBatch b, int i) throws IOException;
    }

    private final Sink sink;
    private final EventBatch single = new EventBatch(64); // one-record events, kept sorted
    private EventBatch[] cpus = new EventBatch[0];
    private long[] lastTs = new long[0];
    private EventBatch[] heap = new EventBatch[1]; // queues with an event to release, earliest head first
    private int heapSize;
    private long released = Long.MIN_VALUE;
    private final int[] expected; // CPUs whose batches come (empty: release at marks only)
    private final int limit;
    private int queued;

    /** Events dropped out of order, applied after a later mark, and releases forced by the bound. */
    long disordered, late, forced;

    /** Releases at marks only, with the default bound. */
    EventMerger(Sink sink) {
        this(sink, new int[0], DEFAULT_LIMIT);
    }

    /**
     * @param expectedCpus the CPUs whose batches come (the recorded online CPUs); the horizon waits for each
     * @param limit        events queued at most
     */
    EventMerger(Sink sink, int[] expectedCpus, int limit) {
        this.sink = sink;
        this.expected = expectedCpus.clone();
        this.limit = Math.max(1, limit);
    }

    /** 128 Ki events of 60 bytes: 7.5 MiB queued at most (a ring buffer of 16 MiB holds ~500 k events). */
    static final int DEFAULT_LIMIT = 1 << 17;

    /** Queues the events of {@code b} and releases up to each of its marks. */
    void add(EventBatch b) throws IOException {
        for (int i = b.head; i < b.size; i++) {
            int type = b.type[i];
            if (type == SchedEvent.MARK) {
                release(b.ts[i]);
                continue;
            }
            if (queued >= limit) relieve();
            if (b.ts[i] < released) late++;
            if (SchedEvent.batched(type)) {
                int c = b.cpu[i];
                EventBatch q = queue(c);
                if (b.ts[i] < lastTs[c]) {
                    disordered++;
                    continue;
                }
                lastTs[c] = b.ts[i];
                q.add(b, i, limit + 1);
            } else {
                single.insertByTime(b, i);
            }
            queued++;
        }
    }

    /** Brings the queued events under the bound: up to the horizon, else the oldest half regardless. */
    private void relieve() throws IOException {
        release(horizon());
        if (queued < limit) return;
        forced++;
        // the median of the queue heads' last events: at least the queues older than it empty out
        long[] ends = new long[cpus.length + 1];
        int n = 0;
        for (EventBatch q : cpus) if (q != null && q.head < q.size) ends[n++] = q.ts[q.size - 1];
        if (single.head < single.size) ends[n++] = single.ts[single.size - 1];
        java.util.Arrays.sort(ends, 0, n);
        release(n == 0 ? Long.MAX_VALUE : ends[(n - 1) / 2] + 1);
    }

    /**
     * The time before which nothing can still arrive without a mark: the oldest of the expected CPUs' last
     * batched events (a CPU that sent nothing yet holds it at the last mark).
     */
    long horizon() {
        if (expected.length == 0) return released;
        long h = Long.MAX_VALUE;
        for (int c : expected) h = Math.min(h, c < lastTs.length ? lastTs[c] : 0);
        return Math.max(h, released);
    }

    /** Releases everything still queued (the recording has ended and every CPU's batch was read). */
    void releaseAll() throws IOException {
        release(Long.MAX_VALUE);
    }

    /** The time up to which events have been released: every event stamped before it was applied. */
    long released() {
        return released;
    }

    /** Events queued and not yet released. */
    int queued() {
        return queued;
    }

    private static final int QUEUE = 1024;

    private EventBatch queue(int cpu) {
        if (cpu >= cpus.length) {
            int n = Math.max(cpu + 1, cpus.length * 2);
            cpus = java.util.Arrays.copyOf(cpus, n);
            lastTs = java.util.Arrays.copyOf(lastTs, n);
            heap = new EventBatch[n + 1];
        }
        EventBatch q = cpus[cpu];
        if (q == null) cpus[cpu] = q = new EventBatch(QUEUE);
        return q;
    }

    /** Hands every queued event stamped before {@code until} to the sink in time order. */
    private void release(long until) throws IOException {
        if (until <= released) return;
        heapSize = 0;
        push(single, until);
        for (EventBatch q : cpus) if (q != null) push(q, until);
        while (heapSize > 0) {
            EventBatch q = heap[0];
            int i = q.head++;
            queued--;
            sink.accept(q, i);
            if (q.head < q.size && q.ts[q.head] < until) {
                siftDown(0);
            } else {
                heap[0] = heap[--heapSize];
                siftDown(0);
            }
        }
        for (int c = 0; c < cpus.length; c++) {
            EventBatch q = cpus[c];
            if (q == null || q.head < q.size) continue;
            // a burst grew it: give the memory back rather than keep a burst's worth per CPU
            if (q.capacity > 8 * QUEUE) cpus[c] = new EventBatch(QUEUE);
            else q.clear();
        }
        if (single.head == single.size) single.clear();
        released = Math.max(released, until);
    }

    private void push(EventBatch q, long until) {
        if (q.head >= q.size || q.ts[q.head] >= until) return;
        int i = heapSize++;
        heap[i] = q;
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (q.ts[q.head] >= heap[parent].ts[heap[parent].head]) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = q;
    }

    private void siftDown(int i) {
        if (heapSize == 0) return;
        EventBatch q = heap[i];
        long t = q.ts[q.head];
        while (true) {
            int l = 2 * i + 1;
            if (l >= heapSize) break;
            int r = l + 1;
            int m = r < heapSize && head(r) < head(l) ? r : l;
            if (head(m) >= t) break;
            heap[i] = heap[m];
            i = m;
        }
        heap[i] = q;
    }

    private long head(int k) {
        return heap[k].ts[heap[k].head];
    }
}
