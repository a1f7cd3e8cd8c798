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

    long disordered, late;

    EventMerger(Sink sink) {
        this.sink = sink;
    }

    /** Queues the events of {@code b} and releases up to each of its marks. */
    void add(EventBatch b) throws IOException {
        for (int i = b.head; i < b.size; i++) {
            int type = b.type[i];
            if (type == SchedEvent.MARK) {
                release(b.ts[i]);
                continue;
            }
            if (b.ts[i] < released) late++;
            if (SchedEvent.batched(type)) {
                int c = b.cpu[i];
                EventBatch q = queue(c);
                if (b.ts[i] < lastTs[c]) {
                    disordered++;
                    continue;
                }
                lastTs[c] = b.ts[i];
                q.add(b, i);
            } else {
                single.insertByTime(b, i);
            }
        }
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
        int n = single.size - single.head;
        for (EventBatch q : cpus) if (q != null) n += q.size - q.head;
        return n;
    }

    private EventBatch queue(int cpu) {
        if (cpu >= cpus.length) {
            int n = Math.max(cpu + 1, cpus.length * 2);
            cpus = java.util.Arrays.copyOf(cpus, n);
            lastTs = java.util.Arrays.copyOf(lastTs, n);
            heap = new EventBatch[n + 1];
        }
        EventBatch q = cpus[cpu];
        if (q == null) cpus[cpu] = q = new EventBatch(1024);
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
            sink.accept(q, i);
            if (q.head < q.size && q.ts[q.head] < until) {
                siftDown(0);
            } else {
                heap[0] = heap[--heapSize];
                siftDown(0);
            }
        }
        for (EventBatch q : cpus) if (q != null && q.head == q.size) q.clear();
        if (single.head == single.size) single.clear();
        released = until;
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
