package dev.kernscope.storage.bench;

import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.FoldedStacks;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Flame-tree benchmark: writes a trace of 1 M stack samples over 100 k distinct stacks (a random trie of
 * 5 000 frames, depths up to ~40, Zipf-like popularity) with TraceWriter, then times cold and warm tree,
 * inverted-tree and folded-export queries. Usage: {@code FlameBench [samples] [stacks] [file]}; see
 * storage/BENCHMARKS-stacks.md for the command.
 */
public final class FlameBench {
    public static void main(String[] args) throws IOException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int stacks = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path file = args.length > 2 ? Path.of(args[2]) : Files.createTempFile("flame-bench", ".ktrace");
        int frames = 5_000;
        long t0 = System.nanoTime();
        write(file, samples, stacks, 42);
        System.out.printf("wrote %,d samples, %,d stacks, %,d frames in %.1f s (%s, %.1f MB)%n", samples, stacks, frames,
                (System.nanoTime() - t0) / 1e9, file, Files.size(file) / 1e6);

        try (TraceReader r = TraceReader.open(file)) {
            PEER = new FlameQueries(r).tree(Filter.of(0, 0, Mode.WALL));
        }
        Filter all = Filter.of(Long.MIN_VALUE, Long.MAX_VALUE, Mode.WALL);
        try (TraceReader r = TraceReader.open(file)) {
            FlameQueries q = new FlameQueries(r);
            long c0 = System.nanoTime(), cpu0 = MX.getCurrentThreadCpuTime();
            FlameTree first = q.tree(all);
            long cold = System.nanoTime() - c0, coldCpu = MX.getCurrentThreadCpuTime() - cpu0;
            System.out.printf("%-37s%7.1f ms wall %21.1f ms cpu  nodes=%,d samples=%,d%n",
                    "cold tree (loads the stack table)", cold / 1e6, coldCpu / 1e6, first.size(), first.totalSamples(0));
            report("warm tree, WALL, whole trace", () -> q.tree(all));
            report("warm tree, ON, whole trace", () -> q.tree(Filter.of(Long.MIN_VALUE, Long.MAX_VALUE, Mode.ON)));
            report("warm inverted, WALL, whole trace", () -> q.inverted(all));
            long end = Long.parseLong(r.meta().get("end_ts"));
            report("warm tree, WALL, 10% window", () -> q.tree(Filter.of(end / 2, end / 2 + end / 10, Mode.WALL)));
            report("warm tree, WALL, one thread", () -> q.tree(all.withTid(1003)));
            report("folded export, WALL, whole trace", () -> {
                FlameTree t = q.tree(all);
                FoldedStacks.write(t, Writer.nullWriter());
                return t;
            });
        }
        // Peers in the same run: the SQL alone, without building a tree, each through the ts index (what
        // SQLite picks by itself) and through the table straight (what the whole-trace tree does).
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            for (String sql : new String[] {
                    "SELECT stack_id, sum(weight), count(*) FROM stack_sample WHERE ts >= ? AND ts < ? GROUP BY 1",
                    "SELECT stack_id, sum(weight), count(*) FROM stack_sample NOT INDEXED WHERE ts >= ? AND ts < ? GROUP BY 1",
                    "SELECT stack_id, weight FROM stack_sample WHERE ts >= ? AND ts < ?",
                    "SELECT stack_id, weight FROM stack_sample NOT INDEXED WHERE ts >= ? AND ts < ?"}) {
                PreparedStatement ps = c.prepareStatement(sql);
                ps.setLong(1, Long.MIN_VALUE);
                ps.setLong(2, Long.MAX_VALUE);
                report("peer: SQL only, " + (sql.contains("GROUP") ? "GROUP BY in SQLite" : "rows streamed")
                        + (sql.contains("NOT INDEXED") ? ", table scan" : ", ts index"), () -> {
                    long sum = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) sum += rs.getLong(1) + rs.getLong(2);
                    } catch (SQLException e) {
                        throw new IOException(e);
                    }
                    return sum == 42 ? null : PEER;
                });
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
        if (args.length <= 2) Files.deleteIfExists(file);
    }

    /**
     * Writes a finished trace of {@code samples} stack samples over {@code stacks} distinct stacks (a random trie
     * of 5 000 frames) to {@code file}; the same seed gives the same stacks and samples.
     */
    public static void write(Path file, int samples, int stacks, long seed) throws IOException {
        int frames = 5_000;
        SplittableRandom rnd = new SplittableRandom(seed);

        int[] depth = new int[stacks + 1];
        try (TraceWriter w = TraceWriter.create(file, true)) {
            int upid = w.newProcess(1000, "bench", "bench", 0, 0);
            int[] utids = new int[8];
            for (int i = 0; i < utids.length; i++) utids[i] = w.newThread(1000 + i, upid, "bench-" + i, 0);
            for (int f = 1; f <= frames; f++) {
                int kind = f <= 1000 ? TraceWriter.FRAME_KERNEL : f <= 4500 ? TraceWriter.FRAME_USER : TraceWriter.FRAME_JIT;
                w.frame(f, "function_" + f + (kind == TraceWriter.FRAME_JIT ? "::jit" : ""),
                        kind == TraceWriter.FRAME_KERNEL ? "[kernel]" : "/usr/lib/libbench" + (f % 20) + ".so", kind, f * 16L);
            }
            for (int s = 1; s <= stacks; s++) {
                // Parents among recent stacks make deep chains; some restarts keep many roots.
                long parent = s == 1 || rnd.nextInt(64) == 0 ? 0 : Math.max(1, s - 1 - rnd.nextInt(Math.min(s - 1, 50)));
                if (parent > 0 && depth[(int) parent] >= 40) parent = rnd.nextInt(1, s);
                depth[s] = parent == 0 ? 0 : depth[(int) parent] + 1;
                w.stack(s, parent, 1 + rnd.nextInt(frames), depth[s]);
            }
            long ts = 0;
            for (int i = 0; i < samples; i++) {
                ts += 1 + rnd.nextInt(2_000);
                // Skewed: half the samples hit the first 1% of stacks; every stack is sampled at least once.
                long stack = i < stacks ? i + 1 : rnd.nextInt(2) == 0 ? 1 + rnd.nextInt(stacks / 100) : 1 + rnd.nextInt(stacks);
                boolean off = rnd.nextInt(5) == 0;
                w.stackSample(ts, utids[rnd.nextInt(utids.length)], rnd.nextInt(2), stack, off ? 1 : 0,
                        off ? 1 + rnd.nextInt(5_000_000) : 1_000_000, 0, 0);
            }
            w.finish(ts + 1, "bench");
        }
    }

    /** Thread CPU time shows the query's own cost on a machine shared with other jobs. */
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** Stands in for a tree in the peers' rows. */
    private static FlameTree PEER;

    interface Query {
        FlameTree run() throws IOException;
    }

    private static void report(String what, Query q) throws IOException {
        q.run(); // warm-up
        q.run();
        long[] t = new long[7];
        long[] cpu = new long[t.length];
        FlameTree last = null;
        for (int i = 0; i < t.length; i++) {
            long c = MX.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            last = q.run();
            t[i] = System.nanoTime() - s;
            cpu[i] = MX.getCurrentThreadCpuTime() - c;
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        System.out.printf("%-37s%7.1f ms wall (min %6.1f) %7.1f ms cpu (min %6.1f)  nodes=%,d samples=%,d%n", what,
                t[t.length / 2] / 1e6, t[0] / 1e6, cpu[cpu.length / 2] / 1e6, cpu[0] / 1e6, last.size(),
                last.totalSamples(0));
    }
}
