package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thread states and the critical path: diff tests on the hand-made relay, invariants on a synthetic trace. */
class AnalysisQueriesTest {
    @TempDir
    static Path dir;
    static Path relay;
    static Path synth;

    @BeforeAll
    static void fixtures() throws IOException {
        relay = Fixtures.relay(dir);
        synth = dir.resolve("synth.ktrace");
        SyntheticTrace.generate(synth, SyntheticTrace.Params.defaults(4, 1));
    }

    static String statesCsv(List<ThreadStates.Span> spans) {
        return "ts,dur,utid,state,cpu,waker\n" + spans.stream().map(s -> s.ts() + "," + s.dur() + "," + s.utid() + ","
                + s.state() + "," + s.cpu() + "," + s.wakerUtid() + "\n").collect(Collectors.joining());
    }

    static String pathCsv(List<CriticalPath.Segment> segs) {
        return "ts,dur,utid,state,cpu\n" + segs.stream().map(s -> s.ts() + "," + s.dur() + "," + s.utid() + ","
                + s.state() + "," + s.cpu() + "\n").collect(Collectors.joining());
    }

    @Test
    void statesOfABlockedWokenPreemptedAndExitedThread() throws IOException {
        try (TraceReader r = TraceReader.open(relay)) {
            ThreadStates q = new ThreadStates(r);
            assertThat(statesCsv(q.states(4, 0, 3000))).isEqualTo(ReaderDiffTest.expected("thread_states_other.csv"));
            assertThat(statesCsv(q.states(3, 0, 3000))).isEqualTo(ReaderDiffTest.expected("thread_states_relay2.csv"));
            // main's block at 2000 has its off-CPU stack (one frame) for the hover
            assertThat(q.offCpuStacks(1, 0, 3000, 8, 10)).containsExactly(java.util.Map.entry(2000L, List.of("pipe_read")));
            assertThat(q.offCpuStacks(2, 0, 3000, 8, 10)).isEmpty();
            // a window clips the same intervals
            assertThat(statesCsv(q.states(4, 920, 1595))).isEqualTo("ts,dur,utid,state,cpu,waker\n"
                    + "920,30,4,WOKEN,1,0\n950,50,4,RUNNING,1,0\n1000,590,4,SLEEPING,1,3\n1590,5,4,WOKEN,0,3\n");
        }
    }

    @Test
    void criticalPathFollowsTheWakersBack() throws IOException {
        try (TraceReader r = TraceReader.open(relay)) {
            CriticalPath.Result res = new CriticalPath(r).path(1, 1000, 2000);
            assertThat(pathCsv(res.segments())).isEqualTo(ReaderDiffTest.expected("critical_path_main.csv"));
            assertThat(res.threads()).containsExactly(
                    new CriticalPath.ThreadTotal(2, 300, 50, 0, 2, 12, 8, 1),
                    new CriticalPath.ThreadTotal(3, 260, 80, 0, 0, 0, 0, 0),
                    new CriticalPath.ThreadTotal(1, 250, 60, 0, 0, 0, 0, 0));
            assertThat(res.numa()).containsExactly(
                    new CriticalPath.NumaMark(1100, 2, CriticalPath.NumaMark.Kind.CROSS_NODE_MOVE, 0),
                    new CriticalPath.NumaMark(1200, 2, CriticalPath.NumaMark.Kind.MIGRATED_FAULT, 8),
                    new CriticalPath.NumaMark(1300, 2, CriticalPath.NumaMark.Kind.FAULT, 4));
            // over the whole trace main's final sleep has no waker: it stays on the path, blocked
            List<CriticalPath.Segment> all = new CriticalPath(r).segments(1, 0, 3000);
            assertThat(all.get(all.size() - 1)).isEqualTo(new CriticalPath.Segment(2000, 1000, 1, ThreadState.SLEEPING, 0));
            assertThat(all.get(0).ts()).isEqualTo(1000); // nothing is known of main before its first slice
            // the stacks along the whole-trace path: relay1's on-CPU sample and main's final block, cut at the end
            FlameTree flame = new CriticalPath(r).flame(all, new FlameQueries(r));
            StringBuilder csv = new StringBuilder();
            flame.writeCsv(csv);
            assertThat(csv.toString()).isEqualTo("depth,name,module,kind,self,total,self_samples,total_samples\n"
                    + "0,\"all\",,-1,0,1100,0,2\n1,\"burn\",\"relay\",1,100,100,1,1\n"
                    + "1,\"pipe_read\",\"[kernel]\",0,1000,1000,1,1\n");
            // other's wakeup by relay2 leads into relay2 and back to main, before which nothing is known
            assertThat(pathCsv(new CriticalPath(r).segments(4, 0, 1650))).isEqualTo("ts,dur,utid,state,cpu\n"
                    + "1000,100,1,RUNNING,0\n1100,50,2,WOKEN,1\n1150,300,2,RUNNING,1\n1450,30,3,WOKEN,0\n"
                    + "1480,110,3,RUNNING,0\n1590,10,4,WOKEN,0\n1600,50,4,RUNNING,0\n");
            // a block whose wakeup came from no thread (an interrupt) stays on the path
            assertThat(pathCsv(new CriticalPath(r).segments(4, 0, 1000))).isEqualTo("ts,dur,utid,state,cpu\n"
                    + "100,200,4,RUNNING,1\n300,600,4,UNINTERRUPTIBLE,1\n900,50,4,WOKEN,1\n950,50,4,RUNNING,1\n");
        }
    }

    @Test
    void statesTileEveryThreadsTimeAndThePathTilesTheWindow() throws IOException {
        try (TraceReader r = TraceReader.open(synth)) {
            long[] b = r.bounds();
            ThreadStates q = new ThreadStates(r);
            Map<Integer, Long> running = new HashMap<>();
            for (Model.ThreadSummary s : r.threadSummaries(b[0], b[1])) running.put(s.utid(), s.runtime());
            int checked = 0;
            for (Model.Thread t : r.threads()) {
                List<ThreadStates.Span> spans = q.states(t.utid(), b[0], b[1]);
                long run = 0;
                for (int i = 0; i < spans.size(); i++) {
                    ThreadStates.Span s = spans.get(i);
                    assertThat(s.dur()).isPositive();
                    if (i > 0) assertThat(s.ts()).isEqualTo(spans.get(i - 1).end());
                    if (s.state() == ThreadState.RUNNING) run += s.dur();
                }
                if (!spans.isEmpty()) {
                    assertThat(spans.get(spans.size() - 1).end()).isEqualTo(b[1]);
                    checked++;
                }
                assertThat(run).isEqualTo(running.getOrDefault(t.utid(), 0L));
            }
            assertThat(checked).isGreaterThan(10);
            Model.Thread t = r.threads().get(3);
            List<CriticalPath.Segment> path = new CriticalPath(r).segments(t.utid(), b[0], b[1]);
            assertThat(path).isNotEmpty();
            for (int i = 1; i < path.size(); i++) assertThat(path.get(i).ts()).isEqualTo(path.get(i - 1).end());
            assertThat(path.get(path.size() - 1).end()).isEqualTo(b[1]);
            assertThat(path.stream().map(CriticalPath.Segment::utid).distinct().count()).isGreaterThan(1);
            // the two ways of checking that a waker ran (its own slices, every CPU's chunks) give the same path
            assertThat(new CriticalPath(r).segments(t.utid(), b[0], b[1], -1))
                    .isEqualTo(new CriticalPath(r).segments(t.utid(), b[0], b[1], Integer.MAX_VALUE)).isEqualTo(path);
        }
    }
}
