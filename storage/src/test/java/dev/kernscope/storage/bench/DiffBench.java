package dev.kernscope.storage.bench;

import dev.kernscope.storage.DiffTree;
import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.FoldedStacks;
import dev.kernscope.storage.TraceReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Differential tree benchmark: two traces of 1 M stack samples over 100 k stacks each (FlameBench's generator,
 * seeds 42 and 43), then the two trees and their merge, cold (readers opened, stack tables loaded) and warm, the
 * two trees built one after the other and on two threads, against the peer of one single tree. Usage:
 * {@code DiffBench [dir]}; see BENCHMARKS.md for the command.
 */
public final class DiffBench {
    interface Run {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp");
        Path a = dir.resolve("diff-bench-a.ktrace"), b = dir.resolve("diff-bench-b.ktrace");
        if (!Files.exists(a)) FlameBench.write(a, 1_000_000, 100_000, 42);
        if (!Files.exists(b)) FlameBench.write(b, 1_000_000, 100_000, 43);
        Filter all = Filter.of(Long.MIN_VALUE, Long.MAX_VALUE, Mode.WALL);
        time("cold: open both, two trees in turn, merge", () -> {
            try (TraceReader ra = TraceReader.open(a); TraceReader rb = TraceReader.open(b)) {
                return DiffTree.of(new FlameQueries(ra).tree(all), new FlameQueries(rb).tree(all));
            }
        });
        time("cold: open both, two trees on two threads, merge", () -> {
            try (TraceReader ra = TraceReader.open(a); TraceReader rb = TraceReader.open(b)) {
                CompletableFuture<FlameTree> ta = CompletableFuture.supplyAsync(() -> tree(ra, all));
                FlameTree tb = tree(rb, all);
                return DiffTree.of(ta.join(), tb);
            }
        });
        try (TraceReader ra = TraceReader.open(a); TraceReader rb = TraceReader.open(b)) {
            FlameQueries qa = new FlameQueries(ra), qb = new FlameQueries(rb);
            FlameTree ta = qa.tree(all), tb = qb.tree(all);
            time("warm: two trees in turn, merge", () -> DiffTree.of(qa.tree(all), qb.tree(all)));
            time("warm: two trees on two threads, merge", () -> {
                CompletableFuture<FlameTree> fa = CompletableFuture.supplyAsync(() -> {
                    try {
                        return qa.tree(all);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                FlameTree fb = qb.tree(all);
                return DiffTree.of(fa.join(), fb);
            });
            time("merge alone (" + ta.size() + " + " + tb.size() + " nodes)", () -> DiffTree.of(ta, tb));
            DiffTree d = DiffTree.of(ta, tb);
            System.out.printf("merged tree: %,d nodes%n", d.size());
            time("differential folded export of the merged tree", () -> {
                FoldedStacks.writeDiff(d, Writer.nullWriter());
                return d;
            });
            time("peer: one warm tree (what a single flame graph costs)", () -> qa.tree(all));
        }
    }

    static FlameTree tree(TraceReader r, Filter f) {
        try {
            return new FlameQueries(r).tree(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void time(String what, Run q) throws Exception {
        q.run();
        long[] t = new long[5];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            q.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        System.out.printf("%-56s %8.1f ms median (min %6.1f, max %6.1f)%n", what, t[t.length / 2] / 1e6, t[0] / 1e6,
                t[t.length - 1] / 1e6);
    }
}
