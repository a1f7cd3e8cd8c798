package dev.kernscope.storage;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Runs what the CLI and the app ask of an open trace: the info summary, viewport slices and run queues of
 * every CPU (mipmap and raw), the flame tree and its folded export, thread summaries and slices, wakeups,
 * NUMA topology and matrix. Used by the fuzzer and the attack tests. Stateless.
 */
final class MainQueries {
    private MainQueries() {}

    static void run(TraceReader r) throws IOException {
        r.summary();
        long[] b = r.bounds();
        long from = b[0], to = b[1];
        double nsPerPx = Math.max(1, (to - from) / 1000.0);
        for (Model.Cpu c : r.cpus()) {
            r.slicesLod(c.cpu(), from, to, nsPerPx);
            r.slicesLod(c.cpu(), from, from + (to - from) / 50, nsPerPx / 200);
            r.runqLod(c.cpu(), from, to, nsPerPx);
        }
        FlameQueries.Filter f = FlameQueries.Filter.of(from, to + 1, FlameQueries.Mode.WALL);
        FlameQueries fq = new FlameQueries(r);
        fq.tree(f);
        fq.inverted(f);
        FoldedStacks.export(r, f, Writer.nullWriter());
        List<Model.ThreadSummary> ts = r.threadSummaries(from, to + 1);
        if (!ts.isEmpty()) {
            r.threadSlices(ts.get(0).utid(), from, to + 1);
            r.wakeups(ts.get(0).utid(), from, to + 1);
        }
        r.wakeupLatencies(from, to + 1, u -> true);
        r.migrations(from, to + 1);
        r.lostEvents(from, to + 1);
        r.processes();
        r.threads();
        for (Model.NumaNode n : r.numaNodes()) CpuList.parse(n.cpus());
        r.numaDistances();
        NumaQueries nq = new NumaQueries(r);
        nq.accessMatrix(from, to + 1);
        for (NumaQueries.CounterKey k : nq.counterKeys()) nq.counterSeries(k.node(), k.name(), from, to + 1, 200);
        nq.processPages(from, to + 1);
    }
}
