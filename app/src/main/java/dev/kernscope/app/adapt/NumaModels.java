package dev.kernscope.app.adapt;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.CpuList;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.views.model.NumaModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the NUMA view's {@link NumaModel} from {@link NumaQueries} for a time window: topology and memory
 * from the trace, the access matrix from hinting faults, per-node counter series, pages per process.
 * Stateless; call off the FX thread.
 */
public final class NumaModels {
    /** Counters drawn as series, in this order, when the trace has them. */
    static final List<String> SERIES = List.of("numa_hit", "local_node", "other_node", "numa_miss", "numa_foreign",
            "numa_pages_migrated");
    /** Points per series: enough for a wide window, bounded whatever the trace length. */
    static final int POINTS = 2000;

    private NumaModels() {}

    /** The model for [from, to), or null when the trace has no NUMA data at all. */
    public static NumaModel build(TraceReader r, long from, long to) throws IOException {
        NumaQueries q = new NumaQueries(r);
        List<Model.NumaNode> nodes = r.numaNodes();
        List<NumaQueries.CounterKey> keys = q.counterKeys();
        if (nodes.isEmpty() && keys.isEmpty()) return null;
        List<NumaModel.Node> outNodes = new ArrayList<>();
        for (Model.NumaNode n : nodes) {
            int[] cpus = CpuList.parse(n.cpus());
            long used = lastValue(q, n.node(), "MemUsed", r);
            if (used < 0) {
                long free = lastValue(q, n.node(), "MemFree", r);
                used = free < 0 ? 0 : Math.max(0, n.memBytes() - free);
            }
            outNodes.add(new NumaModel.Node(n.node(), cpus, n.memBytes(), used));
        }
        int count = outNodes.size();
        Map<Integer, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) index.put(outNodes.get(i).id(), i);
        int[][] dist = new int[count][count];
        for (int i = 0; i < count; i++) for (int j = 0; j < count; j++) dist[i][j] = i == j ? 10 : 20;
        for (Model.Distance d : r.numaDistances()) {
            Integer i = index.get(d.src()), j = index.get(d.dst());
            if (i != null && j != null) dist[i][j] = d.distance();
        }
        long[][] access = new long[count][count];
        long[] unplaced = new long[count];
        NumaQueries.AccessMatrix m = q.accessMatrix(from, to);
        for (int i = 0; i < m.nodes().length; i++) {
            Integer a = index.get(m.nodes()[i]);
            if (a != null) unplaced[a] = m.unplaced()[i];
            for (int j = 0; j < m.nodes().length; j++) {
                Integer b = index.get(m.nodes()[j]);
                if (a != null && b != null) access[a][b] = m.pages()[i][j];
            }
        }
        List<NumaModel.Series> series = new ArrayList<>();
        Set<NumaQueries.CounterKey> present = Set.copyOf(keys);
        for (NumaModel.Node n : outNodes) {
            for (String name : SERIES) {
                if (!present.contains(new NumaQueries.CounterKey(n.id(), name))) continue;
                NumaQueries.CounterSeries s = q.counterSeries(n.id(), name, from, to, POINTS);
                if (s.size() == 0) continue;
                // rates (events/s) compare across nodes and windows; raw cumulative values do not
                series.add(new NumaModel.Series(n.id(), name + "/s", s.ts(), s.rate()));
            }
        }
        Map<Integer, long[]> pages = new LinkedHashMap<>();
        Map<Integer, NumaQueries.ProcessNodePages> names = new LinkedHashMap<>();
        for (NumaQueries.ProcessNodePages p : q.processPages(from, to)) {
            Integer i = index.get(p.node());
            if (i == null) continue;
            pages.computeIfAbsent(p.upid(), k -> new long[count])[i] = p.pages();
            names.putIfAbsent(p.upid(), p);
        }
        List<NumaModel.ProcessPages> procs = new ArrayList<>();
        for (var e : pages.entrySet()) {
            NumaQueries.ProcessNodePages p = names.get(e.getKey());
            procs.add(new NumaModel.ProcessPages(p.upid(), p.pid(), p.name(), e.getValue()));
        }
        procs.sort((x, y) -> Long.compare(y.total(), x.total()));
        return new NumaModel(outNodes, dist, access, unplaced, series, procs);
    }

    private static long lastValue(NumaQueries q, int node, String name, TraceReader r) throws IOException {
        long[] b = r.bounds();
        NumaQueries.CounterSeries s = q.counterSeries(node, name, b[0], b[1] + 1, 1);
        return s.size() == 0 ? -1 : s.value()[s.size() - 1];
    }
}
