package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Diff tests (Perfetto style): fixture trace → query → the expected CSV beside this test, worked out by hand. */
class ReaderDiffTest {
    @TempDir
    static Path dir;
    static Path tiny;

    @BeforeAll
    static void fixture() throws IOException {
        tiny = Fixtures.tiny(dir);
    }

    static String expected(String name) throws IOException {
        try (InputStream in = ReaderDiffTest.class.getResourceAsStream("diff/" + name)) {
            assertThat(in).as("expected file diff/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String summaryCsv(List<Model.ThreadSummary> rows) {
        return "utid,tid,pid,name,process,runtime,wait,wakeups,p50,p95,p99,max,switches,migrations\n"
                + rows.stream().map(s -> s.utid() + "," + s.tid() + "," + s.pid() + "," + s.name() + ","
                        + s.processName() + "," + s.runtime() + "," + s.waitTime() + "," + s.wakeups() + ","
                        + s.latencyP50() + "," + s.latencyP95() + "," + s.latencyP99() + "," + s.latencyMax() + ","
                        + s.switches() + "," + s.migrations() + "\n").collect(Collectors.joining());
    }

    @Test
    void threadSummaryWholeTrace() throws IOException {
        try (TraceReader r = TraceReader.open(tiny)) {
            assertThat(summaryCsv(r.threadSummaries(0, 1_000_000))).isEqualTo(expected("thread_summary_all.csv"));
        }
    }

    @Test
    void bothPlansOfTheThreadSummaryAgree() throws IOException {
        // wide windows read the wakeup table in one pass, narrow ones through its indexes: same numbers
        try (TraceReader r = TraceReader.open(tiny)) {
            for (long[] w : new long[][]{{0, 1_000_000}, {1100, 2100}, {0, 1500}, {1500, 1_000_000}}) {
                assertThat(summaryCsv(r.threadSummaries(w[0], w[1], true)))
                        .isEqualTo(summaryCsv(r.threadSummaries(w[0], w[1], false)));
            }
        }
        Path synth = dir.resolve("plans.ktrace");
        SyntheticTrace.generate(synth, SyntheticTrace.Params.defaults(4, 1));
        try (TraceReader r = TraceReader.open(synth)) {
            long[] b = r.bounds();
            java.util.Random rnd = new java.util.Random(3);
            for (int i = 0; i < 12; i++) {
                long from = b[0] + (long) (rnd.nextDouble() * (b[1] - b[0])), to = from + (long) (rnd.nextDouble() * (b[1] - from));
                if (i == 0) { from = b[0]; to = b[1]; }
                List<Model.ThreadSummary> one = r.threadSummaries(from, to, true), two = r.threadSummaries(from, to, false);
                assertThat(one).isNotEmpty();
                assertThat(summaryCsv(one)).isEqualTo(summaryCsv(two));
            }
            assertThat(r.wide(b[0], b[1])).isTrue();
            assertThat(r.wide(b[0], b[0] + (b[1] - b[0]) / 10)).isFalse();
        }
    }

    @Test
    void threadSummaryClipsToWindow() throws IOException {
        try (TraceReader r = TraceReader.open(tiny)) {
            assertThat(summaryCsv(r.threadSummaries(1100, 2100))).isEqualTo(expected("thread_summary_1100_2100.csv"));
        }
    }

    @Test
    void slicesInWindowIncludeTheOneOverlappingItsStart() throws IOException {
        try (TraceReader r = TraceReader.open(tiny)) {
            StringBuilder sb = new StringBuilder("cpu,ts,dur,utid,end_state\n");
            for (int cpu = 0; cpu < 2; cpu++) {
                SliceBlock b = r.slices(cpu, 1600, 2900);
                for (int i = 0; i < b.size(); i++) {
                    sb.append(cpu).append(',').append(b.ts[i]).append(',').append(b.dur[i]).append(',')
                            .append(b.utid[i]).append(',').append(b.endState[i]).append('\n');
                }
            }
            assertThat(sb.toString()).isEqualTo(expected("slices_1600_2900.csv"));
        }
    }

    @Test
    void namesRunQueueMigrationsLosses() throws IOException {
        try (TraceReader r = TraceReader.open(tiny)) {
            assertThat(r.threadNames(2)).extracting(Model.ThreadName::name).containsExactly("worker", "worker-1");
            assertThat(r.threads()).extracting(Model.Thread::name).containsExactly("app", "worker-1", "lat-test");
            TraceReader.RunqSeries q = r.runq(0, 2100, 3000);
            assertThat(q.size).isEqualTo(2);
            assertThat(new long[] {q.ts[0], q.ts[1]}).containsExactly(2000, 2600);
            assertThat(new int[] {q.len[0], q.len[1]}).containsExactly(2, 1);
            assertThat(r.migrations(1000, 2000)).extracting(Model.Migration::destCpu).containsExactly(1, 0);
            assertThat(r.lostEvents(0, 10_000)).singleElement()
                    .satisfies(l -> assertThat(l.count()).isEqualTo(7))
                    .satisfies(l -> assertThat(l.source()).isEqualTo("ringbuf"));
            assertThat(r.wakeups(3, 0, 1_000_000)).hasSize(21).last()
                    .satisfies(wk -> assertThat(wk.latency()).isEqualTo(-1));
            Model.Summary s = r.summary();
            assertThat(s.rowCounts()).containsEntry("sched_slice", 5L).containsEntry("wakeup", 26L);
            assertThat(s.lostEvents()).isEqualTo(7);
            assertThat(s.endReason()).isEqualTo("duration");
            assertThat(s.duration()).isEqualTo(1_000_000);
        }
    }

    @Test
    void percentileIsNearestRank() {
        long[] v = new long[20];
        for (int i = 0; i < 20; i++) v[i] = i + 1;
        assertThat(TraceReader.percentile(v, 50)).isEqualTo(10);
        assertThat(TraceReader.percentile(v, 95)).isEqualTo(19);
        assertThat(TraceReader.percentile(v, 99)).isEqualTo(20);
        assertThat(TraceReader.percentile(new long[] {7}, 50)).isEqualTo(7);
        assertThat(TraceReader.percentile(new long[0], 99)).isZero();
    }
}
