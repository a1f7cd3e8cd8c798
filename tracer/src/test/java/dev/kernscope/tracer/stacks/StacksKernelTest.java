package dev.kernscope.tracer.stacks;

import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.RecordOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kernscope.tracer.KernelTestSupport.assumeBpf;
import static dev.kernscope.tracer.KernelTestSupport.open;
import static dev.kernscope.tracer.KernelTestSupport.queryLong;
import static dev.kernscope.tracer.KernelTestSupport.run;
import static dev.kernscope.tracer.stacks.StacksTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Records stacks of known workloads on the real kernel and checks what the trace holds. Runs as root only. */
class StacksKernelTest {
    private static final String SPIN = "qz_spin_marmoset_cpu";
    @TempDir
    static Path dir;
    static Path bin;

    @BeforeAll
    static void setUp() throws Exception {
        assumeBpf();
        bin = compileWorkload(dir);
    }

    @Test
    void spinningFunctionIsTheHottestUserFrameOfItsThread() throws Exception {
        Path trace = dir.resolve("spin.ktrace");
        String[] tid = new String[1];
        StackRecorder.Stats stats = record(trace, RecordOptions.defaults().withStacks(StackOptions.defaults().withFreq(199)),
                () -> tid[0] = run(bin.toString(), "spin", "1.5"));
        assertThat(stats.onCpuSamples()).isPositive();
        try (TraceReader r = TraceReader.open(trace)) {
            FlameTree t = new FlameQueries(r).tree(Filter.of(0, Long.MAX_VALUE, Mode.ON).withTid(Integer.parseInt(tid[0])));
            Map<String, Long> userSelf = new HashMap<>();
            int spinNode = -1;
            for (int n = 1; n < t.size(); n++) {
                if (t.kind(n) == TraceWriter.FRAME_USER) userSelf.merge(t.name(n), t.self(n), Long::sum);
                if (t.name(n).equals(SPIN) && (spinNode < 0 || t.total(n) > t.total(spinNode))) spinNode = n;
            }
            String hottest = userSelf.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            assertThat(hottest).isEqualTo(SPIN);
            // most of the thread's on-CPU time is in the spin, called from main
            assertThat(t.total(spinNode)).isGreaterThan(t.total(0) * 8 / 10);
            assertThat(t.name(t.parent(spinNode))).isEqualTo("main");
        }
    }

    /**
     * The on-CPU samples and the scheduler's slices agree on a CPU hog's running time. This caught slices lost
     * behind a task whose switch-out the kernel never traces (SchedModel's mismatch handling).
     */
    @Test
    void sampledWeightMatchesTheRunningTimeOfTheScheduler() throws Exception {
        Path trace = dir.resolve("spin-weight.ktrace");
        String[] tid = new String[1];
        record(trace, RecordOptions.defaults().withStacks(StackOptions.defaults().withFreq(199)),
                () -> tid[0] = run(bin.toString(), "spin", "1.5"));
        try (Connection c = open(trace)) {
            // the samples' weights add up to the thread's running time as the scheduler events show it
            long running = queryLong(c, "SELECT sum(dur) FROM sched_slice WHERE utid IN (SELECT utid FROM thread WHERE tid = "
                    + tid[0] + ")");
            long sampled = queryLong(c, "SELECT sum(weight) FROM stack_sample WHERE kind = 0 AND utid IN "
                    + "(SELECT utid FROM thread WHERE tid = " + tid[0] + ")");
            assertThat(running).isPositive();
            assertThat(sampled).isCloseTo(running, org.assertj.core.data.Offset.offset(running / 4 + 10_000_000));
        }
    }

    @Test
    void pipeReaderBlocksForTheWritersPeriodWithTheReadPathAndTheWriterAsWaker() throws Exception {
        int rounds = 5;
        long periodNs = 200_000_000L;
        Path trace = dir.resolve("pipe.ktrace");
        String[] tids = new String[1];
        record(trace, RecordOptions.defaults(), () -> tids[0] = run(bin.toString(), "pipe", Integer.toString(rounds), "200"));
        String reader = tids[0].split(" ")[0], writer = tids[0].split(" ")[1];
        try (Connection c = open(trace)) {
            long writerUtid = queryLong(c, "SELECT max(utid) FROM thread WHERE tid = " + writer);
            List<long[]> blocks = new ArrayList<>();
            // beside each block: the same interval as the scheduler events show it (from the end of the slice
            // it blocked in to the start of its next slice; the two programs read the clock ~1 us apart)
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT weight, stack_id, coalesce(waker_utid, 0), coalesce(waker_stack_id, 0), "
                            + "(SELECT min(ts) FROM sched_slice x WHERE x.utid = s.utid AND x.ts > s.ts) - "
                            + "(SELECT max(ts + dur) FROM sched_slice x WHERE x.utid = s.utid AND x.ts + dur <= s.ts + 100000) "
                            + "FROM stack_sample s WHERE kind = 1 AND utid IN (SELECT utid FROM thread WHERE tid = " + reader
                            + ") ORDER BY ts")) {
                while (rs.next()) {
                    blocks.add(new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
                }
            }
            List<long[]> inRead = new ArrayList<>();
            // 6.18 calls it anon_pipe_read, older kernels pipe_read
            for (long[] b : blocks) if (frames(c, b[1]).stream().anyMatch(f -> f.endsWith("pipe_read"))) inRead.add(b);
            assertThat(inRead).as("blocks in pipe_read").hasSize(rounds);
            // the writer's period, as long as the machine's other load does not delay either thread
            long[] weights = inRead.stream().mapToLong(b -> b[0]).sorted().toArray();
            assertThat(weights[weights.length / 2]).as("median blocked ns").isBetween(periodNs * 95 / 100, periodNs * 105 / 100);
            for (long[] b : inRead) {
                assertThat(b[0]).as("blocked ns against the sched slices").isBetween(b[4] * 99 / 100 - 50_000, b[4] * 101 / 100 + 50_000);
                List<String> f = frames(c, b[1]);
                assertThat(f).contains("vfs_read", "ksys_read").anyMatch(n -> n.endsWith("pipe_read"));
                // the user stack sits above the kernel one: libc's read, below the thread's start
                assertThat(f).contains("read", "start_thread");
                assertThat(f.indexOf("read")).isGreaterThan(f.indexOf("ksys_read"));
                assertThat(b[2]).as("waker utid").isEqualTo(writerUtid);
                assertThat(frames(c, b[3])).as("waker stack").contains("try_to_wake_up", "vfs_write")
                        .anyMatch(n -> n.endsWith("pipe_write"));
            }
            // the writer sleeps in nanosleep and is woken by the timer interrupt: no waker thread, an irq stack
            long sleeps = 0;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT stack_id, coalesce(waker_utid, 0), coalesce(waker_stack_id, 0) FROM stack_sample WHERE kind = 1 "
                            + "AND utid = " + writerUtid + " AND weight > " + periodNs * 9 / 10)) {
                while (rs.next()) {
                    if (!frames(c, rs.getLong(1)).contains("hrtimer_nanosleep")) continue;
                    sleeps++;
                    assertThat(rs.getLong(2)).as("waker of a timer wakeup").isZero();
                    assertThat(frames(c, rs.getLong(3))).contains("hrtimer_wakeup");
                }
            }
            assertThat(sleeps).isBetween(rounds - 1L, (long) rounds);
            assertThat(queryLong(c, "SELECT coalesce(sum(count), 0) FROM lost_events WHERE source IN ('stack_map', 'stacks_ringbuf')")).isZero();
        }
    }

    @Test
    void recursionDeeperThanTheMaximumIsCountedAsTruncated() throws Exception {
        Path trace = dir.resolve("deep.ktrace");
        String[] tid = new String[1];
        StackRecorder.Stats stats = record(trace, RecordOptions.defaults().withStacks(StackOptions.defaults().withFreq(199)),
                () -> tid[0] = run(bin.toString(), "deep", "200", "0.5"));
        assertThat(stats.truncated()).isPositive();
        try (Connection c = open(trace)) {
            assertThat(queryLong(c, "SELECT sum(count) FROM lost_events WHERE source = 'stack_truncated'"))
                    .isEqualTo(stats.truncated());
            // the samples are kept, cut off at the maximum depth: innermost frames of the recursion only
            long deepest = queryLong(c, "SELECT max(st.depth) FROM stack_sample s JOIN stack st ON st.id = s.stack_id "
                    + "WHERE s.kind = 0 AND s.utid IN (SELECT utid FROM thread WHERE tid = " + tid[0] + ")");
            assertThat(deepest).isBetween(StackEvent.MAX_DEPTH - 1L, StackEvent.MAX_DEPTH + 40L);
            assertThat(queryLong(c, "SELECT value FROM meta WHERE key = 'stacks.truncated'")).isEqualTo(stats.truncated());
        }
    }

    /** A running JVM is asked for its perf map at the end (jcmd Compiler.perfmap): no -XX:+DumpPerfMapAtExit. */
    @Test
    void jitMethodOfARunningJavaProgramIsNamedWithoutFlags() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path javac = java.resolveSibling("javac");
        assumeTrue(Files.isExecutable(javac), "needs javac next to " + java);
        assumeTrue(Files.isExecutable(java.resolveSibling("jcmd")), "needs jcmd next to " + java);
        Path src = dir.resolve("Zq9Spin.java");
        Files.writeString(src, """
                public class Zq9Spin {
                    static long zq9SpinnerHotLoop(long x) {
                        for (int i = 0; i < 10_000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
                        return x;
                    }
                    public static void main(String[] args) {
                        System.out.println(ProcessHandle.current().pid());
                        // spins until killed (at most 60 s)
                        long end = System.nanoTime() + 60_000_000_000L, x = 1;
                        while (System.nanoTime() < end) {
                            for (int i = 0; i < 100; i++) x = zq9SpinnerHotLoop(x);
                        }
                        System.out.println(x & 1);
                    }
                }
                """);
        run(javac.toString(), "-d", dir.toString(), src.toString());
        Path trace = dir.resolve("jit.ktrace");
        Process jvm = new ProcessBuilder(java.toString(), "-XX:+PreserveFramePointer", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,Zq9Spin::zq9SpinnerHotLoop", "-Xshare:auto", "-cp", dir.toString(), "Zq9Spin")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int pid;
        try {
            pid = Integer.parseInt(new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream())).readLine().strip());
            Thread.sleep(1500); // compiled by now
            record(trace, RecordOptions.defaults(), () -> Thread.sleep(2000));
            assertThat(jvm.isAlive()).as("the JVM ran until the recording stopped").isTrue();
        } finally {
            jvm.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(Path.of("/tmp/perf-" + pid + ".map"));
        try (TraceReader r = TraceReader.open(trace)) {
            FlameTree t = new FlameQueries(r).tree(Filter.of(0, Long.MAX_VALUE, Mode.ON).withPid(pid));
            long inMethod = 0;
            for (int n = 1; n < t.size(); n++) {
                if (t.kind(n) == TraceWriter.FRAME_JIT && t.name(n).contains("zq9SpinnerHotLoop")) inMethod += t.self(n);
            }
            // the spin is most of the process's CPU time while recorded
            assertThat(inMethod).isGreaterThan(t.total(0) / 4);
            // every JVM with samples in its code cache is asked, other users' too (here: other builds' JVMs)
            assertThat(r.meta().get("symbols.jvm_perf_maps")).matches("\\d+ JVMs asked \\(jcmd Compiler.perfmap\\), [1-9]\\d* answered.*");
        }
    }
}
