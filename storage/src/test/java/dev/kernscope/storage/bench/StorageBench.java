package dev.kernscope.storage.bench;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.SliceBlock;
import dev.kernscope.storage.SyntheticTrace;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Storage benchmark (not a test): writer ingest rows/s against a bare sqlite-jdbc baseline measured in the
 * same run, and LOD viewport query latency on a 10 M-slice synthetic trace. Prints Markdown for BENCHMARKS.md.
 * Run: {@code mvn -B -q -pl storage test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.kernscope.storage.bench.StorageBench [-Dexec.args="DIR SLICES"]}.
 */
public final class StorageBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/bench");
        long target = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        Files.createDirectories(dir);
        out("## Storage (`StorageBench`)\n");
        ingest(dir);
        if (target > 0) viewport(dir, target); // SLICES = 0 measures ingest only
    }

    static void ingest(Path dir) throws Exception {
        int n = 4_000_000, cpus = 16;
        // Baseline: bare batched prepared inserts of 6-integer rows into a rowid table, no index.
        Path base = dir.resolve("baseline.db");
        Files.deleteIfExists(base);
        double baseRate;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + base)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = NORMAL");
                st.execute("CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f INTEGER)");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    ps.setInt(1, i % cpus);
                    ps.setLong(2, 1_000_000L * i);
                    ps.setLong(3, 5000);
                    ps.setInt(4, i & 1023);
                    ps.setInt(5, 1);
                    ps.setInt(6, 120);
                    ps.addBatch();
                    if (i % 100_000 == 99_999) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            baseRate = n / ((System.nanoTime() - t0) / 1e9);
        }
        Path f = dir.resolve("ingest.ktrace");
        long t0 = System.nanoTime();
        long rows;
        try (TraceWriter w = TraceWriter.create(f, true)) {
            for (int c = 0; c < cpus; c++) w.cpu(c, 0, true);
            long[] t = new long[cpus];
            for (int i = 0; i < n; i++) {
                int c = i % cpus;
                t[c] += 3000 + (i * 7919L) % 20_000;
                w.slice(c, t[c], 2500, 1 + (i & 1023), 1, 120);
                if (i % 100_000 == 99_999) w.flush();
            }
            w.flush();
            rows = w.rowsWritten();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        out("### Ingest: %,d sched_slice rows through TraceWriter (16 CPUs interleaved, WAL, commit per 100 k)%n", n);
        out("| writer | rows/s | note |%n|---|---|---|%n");
        out("| bare sqlite-jdbc, 6-int rows, rowid table, no index (baseline) | %s | same batching |%n", rate(baseRate));
        out("| kernscope TraceWriter.slice (rowid table + packed per-CPU chunks + packed LOD mipmap) | %s slices/s (%s rows/s incl. %,d chunk and LOD rows) | |%n%n",
                rate(n / secs), rate(rows / secs), rows - n - cpus);
    }

    static void viewport(Path dir, long target) throws Exception {
        Path f = dir.resolve("bench-10m.ktrace");
        int cpus = 16;
        double seconds = 10;
        int rate = (int) (target / cpus / seconds * 1.12);
        long t0 = System.nanoTime();
        long slices = SyntheticTrace.generate(f, new SyntheticTrace.Params(1, cpus, 2, 64, 8, seconds, rate, false, false));
        double genSecs = (System.nanoTime() - t0) / 1e9;
        long totalRows;
        try (TraceReader r = TraceReader.open(f)) {
            totalRows = r.summary().rowCounts().values().stream().mapToLong(Long::longValue).sum();
        }
        out("### Realistic ingest mix: SyntheticTrace through TraceWriter%n");
        out("%,d rows (slices, wakeups, migrations, run-queue samples, LOD rows) in %.1f s, finish() included: "
                + "**%s rows/s** (generator cost included)%n%n", totalRows, genSecs, rate(totalRows / genSecs));
        out("### LOD viewport query on a %,d-slice synthetic trace (16 CPUs, %.0f s; %.1f MB)%n",
                slices, seconds, Files.size(f) / 1e6);
        t0 = System.nanoTime();
        try (TraceReader r = TraceReader.open(f)) {
            long[] b = r.bounds();
            List<Model.Cpu> cpuList = r.cpus();
            int width = 1920;
            fetch(r, cpuList, b[0], b[1], width);
            double firstMs = (System.nanoTime() - t0) / 1e6;
            out("Open + first full-width viewport (all 16 CPUs, %d px): %.1f ms%n%n", width, firstMs);
            out("| zoom (visible span, 1920 px, 16 CPUs) | LOD level | rows/viewport | p50 ms | p99 ms | max ms |%n|---|---|---|---|---|---|%n");
            SplittableRandom rnd = new SplittableRandom(5);
            for (double span : new double[] {b[1] - b[0], 1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3}) {
                int iters = 60;
                double[] ms = new double[iters];
                long rows = 0;
                for (int i = 0; i < iters; i++) {
                    long from = b[0] + (long) (rnd.nextDouble() * Math.max(0, b[1] - b[0] - span));
                    long s0 = System.nanoTime();
                    rows += fetch(r, cpuList, from, from + (long) span, width);
                    ms[i] = (System.nanoTime() - s0) / 1e6;
                }
                Arrays.sort(ms);
                out("| %s | %d | %,d | %.2f | %.2f | %.2f |%n", human(span), TraceReader.lodLevel(span / width),
                        rows / iters, ms[iters / 2], ms[(int) Math.ceil(iters * 0.99) - 1], ms[iters - 1]);
            }
            // the Threads table and `export --csv threads`: runtime, wait and latency percentiles per thread
            out("%n| thread summaries (Threads table) | threads | median of 3 |%n|---|---|---|%n");
            for (double share : new double[] {1.0, 0.1}) {
                double[] ms = new double[3];
                int n = 0;
                for (int i = 0; i < ms.length; i++) {
                    long s0 = System.nanoTime();
                    n = r.threadSummaries(b[0], b[0] + (long) ((b[1] - b[0]) * share)).size();
                    ms[i] = (System.nanoTime() - s0) / 1e6;
                }
                Arrays.sort(ms);
                out("| %s | %d | %.0f ms |%n", share == 1.0 ? "whole trace" : "10 % window", n, ms[1]);
            }
        }
        out("%n");
    }

    static long fetch(TraceReader r, List<Model.Cpu> cpus, long from, long to, int width) throws Exception {
        long rows = 0;
        for (Model.Cpu c : cpus) {
            SliceBlock b = r.slicesLod(c.cpu(), from, to, (double) (to - from) / width);
            rows += b.size();
        }
        return rows;
    }

    static String human(double ns) {
        if (ns >= 1e9) return String.format(Locale.ROOT, "%.0f s", ns / 1e9);
        if (ns >= 1e6) return String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
        if (ns >= 1e3) return String.format(Locale.ROOT, "%.0f µs", ns / 1e3);
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }

    static String rate(double r) {
        return String.format(Locale.ROOT, "%.2f M", r / 1e6);
    }

    static void out(String fmt, Object... args) {
        System.out.print(String.format(Locale.ROOT, fmt, args));
        System.out.flush();
    }
}
