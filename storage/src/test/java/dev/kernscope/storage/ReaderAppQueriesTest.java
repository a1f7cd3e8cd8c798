package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queries the desktop app added: one thread's slices across CPUs, the recorder's latest cost. */
class ReaderAppQueriesTest {
    /** A 4-CPU, 1-second synthetic trace, opened. */
    private static TraceReader synthetic(Path dir) throws Exception {
        Path f = dir.resolve("synthetic.ktrace");
        SyntheticTrace.generate(f, SyntheticTrace.Params.defaults(4, 1));
        return TraceReader.open(f);
    }

    @Test
    void threadSlicesAreThatThreadsSlicesOnEveryCpu(@TempDir Path dir) throws Exception {
        try (TraceReader r = synthetic(dir)) {
            long[] b = r.bounds();
            long from = b[0] + 200_000_000L, to = b[0] + 600_000_000L;
            int utid = r.threadSummaries(from, to).get(0).utid();
            List<Long> expected = new ArrayList<>();
            for (Model.Cpu c : r.cpus()) {
                SliceBlock s = r.slices(c.cpu(), from, to);
                for (int i = 0; i < s.size(); i++) if (s.utid[i] == utid) expected.add(s.ts[i]);
            }
            expected.sort(null);
            SliceBlock t = r.threadSlices(utid, from, to);
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < t.size(); i++) got.add(t.ts[i]);
            assertThat(got).isNotEmpty().isEqualTo(expected);
            assertThat(r.latestTracerCost()).isNull();
        }
    }

    @Test
    void wakeupLatenciesAreThoseOfTheWakeupsThatRanInTheWindow(@TempDir Path dir) throws Exception {
        try (TraceReader r = synthetic(dir)) {
            long[] b = r.bounds();
            // a narrow window (through the index) and the whole trace (one pass), all threads and one
            for (long[] w : new long[][]{{b[0] + 200_000_000L, b[0] + 300_000_000L}, {b[0], b[1]}}) {
                int utid = r.threadSummaries(w[0], w[1]).get(0).utid();
                for (boolean one : new boolean[]{false, true}) {
                    List<Long> expected = new ArrayList<>();
                    for (Model.Wakeup x : r.wakeups(w[0], w[1])) {
                        if (x.reason() != 2 && x.runTs() != null && (!one || x.utid() == utid)) expected.add(x.latency());
                    }
                    List<Long> got = new ArrayList<>();
                    for (long v : r.wakeupLatencies(w[0], w[1], u -> !one || u == utid)) got.add(v);
                    assertThat(got).isNotEmpty().containsExactlyInAnyOrderElementsOf(expected);
                }
            }
        }
    }

    @Test
    void latestTracerCostIsTheNewestRow(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.ktrace");
        try (TraceWriter w = TraceWriter.create(f, false)) {
            w.cpu(0, 0, true);
            w.tracerCost(100, 5, 1 << 20, 10, 0);
            w.tracerCost(200, 9, 1 << 20, 30, 2);
            w.finish(300, "duration");
        }
        try (TraceReader r = TraceReader.open(f)) {
            assertThat(r.latestTracerCost()).isEqualTo(new Model.TracerCost(200, 9, 1 << 20, 30, 2));
        }
    }
}
