package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diff tests of {@link NumaQueries}: a small two-node trace written with {@link TraceWriter}, each query's
 * result as CSV compared with the expected file in {@code numa/} beside this test. Run with
 * {@code -Dkernscope.updateGolden=true} to rewrite the expected files after a deliberate change.
 */
class NumaQueriesTest {
    private static final long MS = 1_000_000L;
    @TempDir static Path dir;
    static TraceReader reader;
    static NumaQueries q;

    @BeforeAll
    static void writeFixture() throws IOException {
        Path file = dir.resolve("numa.ktrace");
        try (TraceWriter w = TraceWriter.create(file, false)) {
            for (int cpu = 0; cpu < 4; cpu++) w.cpu(cpu, cpu / 2, true);
            w.numaNode(0, 1L << 30, "0-1");
            w.numaNode(1, 1L << 30, "2-3");
            w.numaDistance(0, 0, 10);
            w.numaDistance(0, 1, 20);
            w.numaDistance(1, 0, 20);
            w.numaDistance(1, 1, 10);
            int app = w.newProcess(100, "app", "app --work", 0, 0);
            int other = w.newProcess(200, "other", "other", 0, 0);
            int t1 = w.newThread(100, app, "app", 0);
            int t2 = w.newThread(101, app, "app-worker", 0);
            int t3 = w.newThread(200, other, "other", 0);
            // app's main thread first faults from node 1 on node 1 memory, then from node 0 on node 1 memory,
            // which that fault migrates to node 0 (the kernel reports the page's new node, 0, and TNF_MIGRATED).
            w.numaFault(10 * MS, t1, 2, 1, 1, 8, 0);
            w.numaFault(20 * MS, t1, 0, 0, 0, 512, 0x01);
            w.numaFault(30 * MS, t1, 0, 0, 0, 16, 0);
            w.numaFault(40 * MS, t2, 3, 1, 0, 4, 0);
            w.numaFault(50 * MS, t3, 1, 0, 0, 100, 0);
            w.numaFault(500 * MS, t3, 1, 0, 1, 1, 0); // outside the window used below
            // counters: 10 samples 100 ms apart, numa_hit +10 per sample on node 0.
            for (int i = 0; i < 10; i++) {
                long ts = i * 100 * MS;
                w.numaCounter(ts, 0, "numa_hit", 1000 + 10L * i, i == 0 ? 0 : 10, i == 0 ? 0 : 100.0);
                w.numaCounter(ts, 1, "other_node", 50L * i * i, i == 0 ? 0 : 50L * (2 * i - 1),
                        i == 0 ? 0 : 500.0 * (2 * i - 1));
                w.numaCounter(ts, -1, "numa_pages_migrated", i < 5 ? 0 : 600, i == 5 ? 600 : 0, i == 5 ? 6000.0 : 0);
            }
            // app's pages move from node 1 to node 0.
            w.processNumaPages(0, app, 0, 10);
            w.processNumaPages(0, app, 1, 5000);
            w.processNumaPages(1000 * MS, app, 0, 4990);
            w.processNumaPages(1000 * MS, app, 1, 20);
            w.processNumaPages(500 * MS, other, 0, 300);
            w.processNumaPages(500 * MS, other, 1, 0);
            w.migration(15 * MS, t1, 2, 0);  // node 1 -> 0
            w.migration(16 * MS, t1, 0, 1);  // same node
            w.migration(17 * MS, t2, 1, 3);  // node 0 -> 1
            w.numaDecision(25 * MS, "stick", t1, 0, 0, -1, -1);
            w.numaDecision(26 * MS, "move", 0, 2, 1, 0, 0);
            w.numaDecision(27 * MS, "swap", t2, 3, 1, 1, 0);
            w.pageMigration(21 * MS, 512, 0, 5, 0);
            w.pageMigration(22 * MS, 88, 2, 5, 0);
            w.finish(1000 * MS, "test");
        }
        reader = TraceReader.open(file);
        q = new NumaQueries(reader);
    }

    @AfterAll
    static void close() throws IOException {
        reader.close();
    }

    @Test
    void accessMatrix() throws IOException {
        NumaQueries.AccessMatrix m = q.accessMatrix(0, 100 * MS);
        assertThat(m.localRatio()).isCloseTo(124.0 / 640, org.assertj.core.data.Offset.offset(1e-9));
        diff("access-matrix.csv", matrixCsv(m));
    }

    @Test
    void withMoreThanTwoNodesAMigratedFaultIsRemoteWithoutAColumn(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("three.ktrace");
        try (TraceWriter w = TraceWriter.create(file, false)) {
            for (int cpu = 0; cpu < 3; cpu++) w.cpu(cpu, cpu, true);
            for (int node = 0; node < 3; node++) w.numaNode(node, 1L << 30, Integer.toString(node));
            int t = w.newThread(7, w.newProcess(7, "p", "p", 0, 0), "p", 0);
            w.numaFault(MS, t, 2, 2, 2, 10, 0);
            w.numaFault(2 * MS, t, 2, 2, 2, 30, 0x01); // moved to node 2 from node 0 or 1: not recorded which
            w.numaFault(3 * MS, t, 0, 0, 1, 5, 0);
            w.finish(4 * MS, "test");
        }
        try (TraceReader r = TraceReader.open(file)) {
            NumaQueries.AccessMatrix m = new NumaQueries(r).accessMatrix(0, 10 * MS);
            assertThat(m.pages()[2]).containsExactly(0, 0, 10);
            assertThat(m.pages()[0]).containsExactly(0, 5, 0);
            assertThat(m.unplaced()).containsExactly(0, 0, 30);
            assertThat(m.local()).isEqualTo(10);
            assertThat(m.remote()).isEqualTo(35);
        }
    }

    @Test
    void accessMatrixPerThreadAndProcess() throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# utid 1\n").append(matrixCsv(q.accessMatrixOfThread(0, 100 * MS, 1)));
        sb.append("# upid 1\n").append(matrixCsv(q.accessMatrixOfProcess(0, 100 * MS, 1)));
        sb.append("# upid 2, whole trace\n").append(matrixCsv(q.accessMatrixOfProcess(0, Long.MAX_VALUE, 2)));
        diff("access-matrix-filtered.csv", sb.toString());
        assertThat(q.accessMatrixOfThread(0, 100 * MS, 99).localRatio()).isNaN();
    }

    @Test
    void counterSeriesWithLod() throws IOException {
        StringBuilder sb = new StringBuilder("node,name,ts,value,delta,rate\n");
        for (NumaQueries.CounterSeries s : List.of(
                q.counterSeries(0, "numa_hit", 0, 1000 * MS, 100),
                q.counterSeries(0, "numa_hit", 0, 1000 * MS, 3),
                q.counterSeries(1, "other_node", 200 * MS, 1000 * MS, 2),
                q.counterSeries(-1, "numa_pages_migrated", 0, 1000 * MS, 1))) {
            for (int i = 0; i < s.size(); i++) {
                sb.append(s.node()).append(',').append(s.name()).append(',').append(s.ts()[i]).append(',')
                        .append(s.value()[i]).append(',').append(s.delta()[i]).append(',')
                        .append(String.format(Locale.ROOT, "%.1f", s.rate()[i])).append('\n');
            }
        }
        diff("counter-series.csv", sb.toString());
        assertThat(q.counterSeries(0, "numa_hit", 0, 1000 * MS, 3).size()).isLessThanOrEqualTo(3);
        assertThat(q.counterIncrease(-1, "numa_pages_migrated", 0, 1000 * MS)).isEqualTo(600);
        assertThat(q.counterKeys()).containsExactly(new NumaQueries.CounterKey(-1, "numa_pages_migrated"),
                new NumaQueries.CounterKey(0, "numa_hit"), new NumaQueries.CounterKey(1, "other_node"));
    }

    @Test
    void processPages() throws IOException {
        String csv = "upid,pid,name,node,ts,pages\n"
                + rows(q.processPages(0, 2000 * MS), r -> r.upid() + "," + r.pid() + "," + r.name() + "," + r.node()
                        + "," + r.ts() + "," + r.pages())
                + "# window before app's second sample\n"
                + rows(q.processPages(0, 999 * MS), r -> r.upid() + "," + r.pid() + "," + r.name() + "," + r.node()
                        + "," + r.ts() + "," + r.pages())
                + "# series of upid 1\n"
                + rows(q.processPagesSeries(1, 0, 2000 * MS), r -> r.ts() + "," + r.node() + "," + r.pages());
        diff("process-pages.csv", csv);
    }

    @Test
    void eventsInWindow() throws IOException {
        String csv = "# cross-node migrations: ts,utid,orig_cpu,dest_cpu,orig_node,dest_node\n"
                + rows(q.crossNodeMigrations(0, 100 * MS), m -> m.ts() + "," + m.utid() + "," + m.origCpu() + ","
                        + m.destCpu() + "," + m.origNode() + "," + m.destNode())
                + "# decisions in [25 ms, 27 ms): ts,kind,utid,src_cpu,src_nid,dst_cpu,dst_nid\n"
                + rows(q.decisions(25 * MS, 27 * MS), d -> d.ts() + "," + d.kind() + "," + d.utid() + "," + d.srcCpu()
                        + "," + d.srcNid() + "," + d.dstCpu() + "," + d.dstNid())
                + "# page migrations: ts,succeeded,failed,reason,mode\n"
                + rows(q.pageMigrations(0, 100 * MS), p -> p.ts() + "," + p.succeeded() + "," + p.failed() + ","
                        + p.reason() + "," + p.mode())
                + "# faults of utid 1: ts,utid,cpu,cpu_node,mem_node,pages,flags\n"
                + rows(q.faults(0, 100 * MS, 1), f -> f.ts() + "," + f.utid() + "," + f.cpu() + "," + f.cpuNode() + ","
                        + f.memNode() + "," + f.pages() + "," + f.flags());
        diff("events.csv", csv);
    }

    private static String matrixCsv(NumaQueries.AccessMatrix m) {
        StringBuilder sb = new StringBuilder("cpu_node\\mem_node");
        for (int n : m.nodes()) sb.append(',').append(n);
        sb.append('\n');
        for (int i = 0; i < m.nodes().length; i++) {
            sb.append(m.nodes()[i]);
            for (long v : m.pages()[i]) sb.append(',').append(v);
            sb.append('\n');
        }
        sb.append("local,").append(m.local()).append(",remote,").append(m.remote()).append('\n');
        return sb.toString();
    }

    private static <T> String rows(List<T> list, Function<T, String> f) {
        StringBuilder sb = new StringBuilder();
        for (T t : list) sb.append(f.apply(t)).append('\n');
        return sb.toString();
    }

    /** Compares with the expected CSV resource, or rewrites it (into src/test/resources) when asked to. */
    private static void diff(String name, String actual) throws IOException {
        if (Boolean.getBoolean("kernscope.updateGolden")) {
            Path src = Path.of("src/test/resources/dev/kernscope/storage/numa", name);
            Files.createDirectories(src.getParent());
            Files.writeString(src, actual);
            return;
        }
        try (InputStream in = NumaQueriesTest.class.getResourceAsStream("numa/" + name)) {
            assertThat(in).as("expected file numa/%s (run with -Dkernscope.updateGolden=true to create it)", name).isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
