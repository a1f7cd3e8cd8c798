package dev.kernscope.storage;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny hand-written traces whose query results are worked out by hand in the expected CSV files. */
final class Fixtures {
    private Fixtures() {}

    /**
     * Two CPUs, one process with threads app (utid 1), worker (utid 2) and lat-test (utid 3, wakeups only,
     * latencies 1..20 µs so that nearest-rank p50/p95/p99 are 10/19/20 µs).
     */
    static Path tiny(Path dir) throws IOException {
        Path f = dir.resolve("tiny.ktrace");
        try (TraceWriter w = TraceWriter.create(f, true)) {
            w.meta("start_ts", "0");
            w.meta("cpu_count", "2");
            w.meta("numa_node_count", "1");
            w.cpu(0, 0, true);
            w.cpu(1, 0, true);
            w.numaNode(0, 1L << 30, "0-1");
            w.numaDistance(0, 0, 10);
            int upid = w.newProcess(100, "app", "/usr/bin/app --serve", 0, 0);
            int app = w.newThread(100, upid, "app", 0);
            int worker = w.newThread(101, upid, "worker", 0);
            int lat = w.newThread(102, upid, "lat-test", 0);
            w.renameThread(worker, 1500, "worker-1");
            w.slice(0, 1000, 500, app, 1, 120);
            w.slice(0, 2000, 600, worker, 0, 120);
            w.slice(0, 3000, 100, app, 1, 120);
            w.slice(1, 1200, 1000, worker, 1, 120);
            w.slice(1, 2800, 100, worker, 1, 120);
            w.wakeup(900, app, worker, 0, 1000, 0, 0);
            w.wakeup(2700, app, worker, 0, 3000, 0, 0);
            w.wakeup(1100, worker, app, 1, 1200, 1, 0);
            w.wakeup(1900, worker, app, 0, 2000, 0, 0);
            w.wakeup(2600, worker, 0, 0, 2800, 1, 2);
            for (int k = 1; k <= 20; k++) w.wakeup(10_000L * k, lat, app, 1, 10_000L * k + 1000L * k, 1, 0);
            w.wakeup(500_000, lat, app, 1, -1, 0, 0); // never ran: no latency, waits to the window end
            w.migration(1150, worker, 0, 1);
            w.migration(1950, worker, 1, 0);
            w.migration(2650, worker, 0, 1);
            w.runqSample(1000, 0, 1);
            w.runqSample(2000, 0, 2);
            w.runqSample(2600, 0, 1);
            w.lost(2500, 1, "ringbuf", 7);
            w.finish(1_000_000, "duration");
        }
        return f;
    }
    /**
     * A token relay on two CPUs (times in ns): main (utid 1) runs [1000, 1200) and wakes relay1 at 1100;
     * relay1 (utid 2) runs [1150, 1500) and wakes relay2 at 1450; relay2 (utid 3) runs [1480, 1600), is
     * preempted by other until 1650, runs [1650, 1800) and wakes main at 1790; main runs again [1850, 2000).
     * other (utid 4) blocks uninterruptibly [300, 900) until an interrupt wakes it (no waker), sleeps
     * [1000, 1590) until relay2 wakes it, runs [1600, 1650) and exits. The expected states and critical path
     * are worked out in diff/thread_states_*.csv and diff/critical_path_main.csv.
     */
    static Path relay(Path dir) throws IOException {
        Path f = dir.resolve("relay.ktrace");
        try (TraceWriter w = TraceWriter.create(f, true)) {
            w.meta("start_ts", "0");
            w.meta("cpu_count", "2");
            w.meta("numa_node_count", "2");
            w.cpu(0, 0, true);
            w.cpu(1, 1, true);
            w.numaNode(0, 1L << 30, "0");
            w.numaNode(1, 1L << 30, "1");
            int upid = w.newProcess(200, "relay", "relay", 0, 0);
            int main = w.newThread(200, upid, "main", 0);
            int r1 = w.newThread(201, upid, "relay1", 0);
            int r2 = w.newThread(202, upid, "relay2", 0);
            int other = w.newThread(203, upid, "other", 0);
            w.slice(1, 100, 200, other, 2, 120);
            w.wakeup(900, other, 0, 1, 950, 1, 0);
            w.slice(1, 950, 50, other, 1, 120);
            w.slice(0, 1000, 200, main, 1, 120);
            w.wakeup(1100, r1, main, 1, 1150, 1, 0);
            w.slice(1, 1150, 350, r1, 1, 120);
            w.wakeup(1450, r2, r1, 0, 1480, 0, 0);
            w.slice(0, 1480, 120, r2, 0, 120);
            w.wakeup(1590, other, r2, 0, 1600, 0, 0);
            w.wakeup(1600, r2, 0, 0, 1650, 0, 2);
            w.slice(0, 1600, 50, other, 0x80, 120);
            w.slice(0, 1650, 150, r2, 1, 120);
            w.wakeup(1790, main, r2, 0, 1850, 0, 0);
            w.slice(0, 1850, 150, main, 1, 120);
            w.migration(1100, r1, 0, 1); // cross-node, inside relay1's wait on the path
            w.migration(1300, other, 0, 1); // other is never on main's path
            w.numaFault(1200, r1, 1, 1, 0, 8, 0x01);
            w.numaFault(1300, r1, 1, 1, 1, 4, 0);
            w.numaFault(1900, other, 0, 0, 1, 2, 0);
            w.frame(1, "burn", "relay", TraceWriter.FRAME_USER, 0x10);
            w.frame(2, "pipe_read", "[kernel]", TraceWriter.FRAME_KERNEL, 0);
            w.stack(1, 0, 1, 0);
            w.stack(2, 0, 2, 0);
            w.stackSample(1200, r1, 1, 1, TraceWriter.SAMPLE_ON_CPU, 100, 0, 0); // on the path
            w.stackSample(1300, other, 0, 1, TraceWriter.SAMPLE_ON_CPU, 100, 0, 0); // not on it
            w.stackSample(2000, main, 0, 2, TraceWriter.SAMPLE_OFF_CPU, 5000, 0, 0); // main's last sleep, 1000 of it in the trace
            w.endThread(other, 1650);
            w.finish(3000, "duration");
        }
        return f;
    }
}
