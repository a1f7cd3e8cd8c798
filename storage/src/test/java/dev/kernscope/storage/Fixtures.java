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
}
