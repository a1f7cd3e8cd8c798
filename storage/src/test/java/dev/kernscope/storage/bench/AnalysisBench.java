package dev.kernscope.storage.bench;

import dev.kernscope.storage.CriticalPath;
import dev.kernscope.storage.Model;
import dev.kernscope.storage.SyntheticTrace;
import dev.kernscope.storage.ThreadStates;
import dev.kernscope.storage.TraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Analysis benchmark on a ~10 M-event synthetic trace (16 CPUs, 10 s, 30 000 slices per CPU-second: ~4.8 M
 * slices and as many runnable intervals): the critical path of a thread over the whole trace, the same with
 * NUMA totals, one thread's states, and as the floor the same thread's rows read through the index alone.
 * Usage: {@code AnalysisBench FILE} (generated when absent); see BENCHMARKS.md for the command.
 */
public final class AnalysisBench {
    interface Run {
        long run() throws IOException;
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "/tmp/analysis-bench.ktrace");
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            long n = SyntheticTrace.generate(file, new SyntheticTrace.Params(42, 16, 2, 32, 4, 10, 30_000, false, false));
            System.out.printf("generated %,d slices in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
        try (TraceReader r = TraceReader.open(file)) {
            Model.Summary s = r.summary();
            System.out.printf("trace: %s, %,d slices, %,d wakeups, %,d migrations, %,d run-queue samples%n", file,
                    s.rowCounts().get("sched_slice"), s.rowCounts().get("wakeup"), s.rowCounts().get("migration"),
                    s.rowCounts().get("runq_sample"));
            long[] b = r.bounds();
            List<Model.ThreadSummary> threads = r.threadSummaries(b[0], b[0] + (b[1] - b[0]) / 20);
            threads.sort(Comparator.comparingLong(Model.ThreadSummary::switches).reversed());
            int busiest = threads.get(0).utid(), median = threads.get(threads.size() / 2).utid();
            for (int utid : new int[] {busiest, median}) {
                List<CriticalPath.Segment> path = new CriticalPath(r).segments(utid, b[0], b[1]);
                int hops = 0;
                for (int i = 1; i < path.size(); i++) if (path.get(i).utid() != path.get(i - 1).utid()) hops++;
                System.out.printf("thread utid %d: path of %,d segments, %,d changes of thread, %,d threads%n", utid,
                        path.size(), hops, path.stream().mapToInt(CriticalPath.Segment::utid).distinct().count());
                time("  critical path, whole trace (segments)", () -> new CriticalPath(r).segments(utid, b[0], b[1]).size());
                time("  critical path + NUMA totals", () -> new CriticalPath(r).path(utid, b[0], b[1]).segments().size());
                time("  thread states, whole trace", () -> new ThreadStates(r).states(utid, b[0], b[1]).size());
                time("  floor: its slices read through the utid index", () -> r.threadSlices(utid, b[0], b[1]).size());
            }
        }
    }

    static void time(String what, Run q) throws IOException {
        long rows = q.run();
        q.run();
        long[] t = new long[7];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            rows = q.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        System.out.printf("%-52s %8.1f ms median (min %6.1f, max %6.1f)  rows=%,d%n", what, t[t.length / 2] / 1e6,
                t[0] / 1e6, t[t.length - 1] / 1e6, rows);
    }
}
