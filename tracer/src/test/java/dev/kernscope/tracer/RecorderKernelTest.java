package dev.kernscope.tracer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import static dev.kernscope.tracer.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Records known workloads on the real kernel and checks what the trace holds. Runs as root only. */
class RecorderKernelTest {
    private static final int ROUNDS = 2000;
    @TempDir
    static Path dir;
    static Path kstest;

    @BeforeAll
    static void setUp() throws Exception {
        assumeBpf();
        kstest = compileWorkload(dir);
    }

    @Test
    void pingPongThreadsShowTheirSwitchesAndWakeEachOther() throws Exception {
        pingPong("pingpong.ktrace", "tp_btf");
    }

    @Test
    void theRawTracepointFallbackRecordsTheSame() throws Exception {
        // the flavour a kernel without tp_btf gets (this one takes both): same programs read through
        // bpf_probe_read, same batches
        System.setProperty("kernscope.attach", "raw_tp");
        try {
            pingPong("pingpong-raw.ktrace", "raw_tp");
        } finally {
            System.clearProperty("kernscope.attach");
        }
    }

    private void pingPong(String name, String attach) throws Exception {
        Path trace = dir.resolve(name);
        String[] tids = new String[1];
        // without stacks: their maps captures and per-switch stack walks shift the timing the tight counts assume
        Recorder.Stats stats = record(trace, RecordOptions.defaults().withStacks(null),
                () -> tids[0] = run(kstest.toString(), "pingpong", Integer.toString(ROUNDS)));
        int a = Integer.parseInt(tids[0].split(" ")[0]), b = Integer.parseInt(tids[0].split(" ")[1]);
        assertThat(stats.lost()).isZero();
        assertThat(stats.attachMode()).isEqualTo(attach);
        assertThat(stats.disordered()).isZero();
        try (Connection c = open(trace)) {
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'feature.attach'")).containsExactly(attach);
            assertThat(queryLong(c, "SELECT count(*) FROM meta WHERE key IN ('disordered_events', 'late_events')")).isZero();
            String ua = "(SELECT utid FROM thread WHERE tid = " + a + ")", ub = "(SELECT utid FROM thread WHERE tid = " + b + ")";
            // both pinned to CPU 1: each round, each thread gets off the CPU exactly once, either blocked in
            // read (then the other one wakes it) or preempted by the wakeup it just caused
            for (String u : new String[]{ua, ub}) {
                String other = u.equals(ua) ? ub : ua;
                // (plus a few slices around thread start and exit, and the rare preemption by another task)
                long slices = queryLong(c, "SELECT count(*) FROM sched_slice WHERE utid = " + u);
                assertThat(slices).isBetween((long) ROUNDS, ROUNDS + 30L);
                long blocked = queryLong(c, "SELECT count(*) FROM sched_slice WHERE utid = " + u + " AND end_state = 1");
                long woken = queryLong(c, "SELECT count(*) FROM wakeup WHERE reason = 0 AND utid = " + u + " AND waker_utid = " + other);
                long preempted = queryLong(c, "SELECT count(*) FROM wakeup WHERE reason = 2 AND utid = " + u);
                assertThat(woken).isBetween(blocked - 2, blocked + 1);
                // every slice but the last (exit) and the odd sleep before the loop ends blocked or preempted
                assertThat(woken + preempted).isBetween(slices - 4, slices);
            }
            // a slice of one is followed on CPU 1 by a slice of the other, apart from rare interlopers
            long handoffs = queryLong(c, "SELECT count(*) FROM (SELECT utid, lead(utid) OVER (ORDER BY ts) AS nxt "
                    + "FROM sched_slice WHERE cpu = 1) WHERE (utid = " + ua + " AND nxt = " + ub + ") OR (utid = " + ub
                    + " AND nxt = " + ua + ")");
            // each slice of another task on CPU 1 while the pair runs can break at most two handoffs; on a
            // machine busy on every CPU there are more of those than on a quiet one
            long interlopers = queryLong(c, "SELECT count(*) FROM sched_slice WHERE cpu = 1 AND utid NOT IN (" + ua + ", " + ub
                    + ") AND ts > (SELECT min(ts) FROM sched_slice WHERE utid IN (" + ua + ", " + ub + "))"
                    + " AND ts < (SELECT max(ts) FROM sched_slice WHERE utid IN (" + ua + ", " + ub + "))");
            assertThat(handoffs).isBetween(2L * ROUNDS - 40 - 2 * interlopers, 2L * ROUNDS + 20);
            assertThat(interlopers).isLessThan(ROUNDS / 4);
            // wakeup -> run latency: positive, and well under a scheduler tick at the median
            assertThat(queryLong(c, "SELECT min(run_ts - ts) FROM wakeup WHERE utid IN (" + ua + ", " + ub + ") AND reason = 0")).isPositive();
            assertThat(queryLong(c, "SELECT run_ts - ts FROM wakeup WHERE utid = " + ua + " AND reason = 0 ORDER BY run_ts - ts "
                    + "LIMIT 1 OFFSET " + ROUNDS / 2)).isLessThan(1_000_000);
            assertThat(queryLong(c, "SELECT count(*) FROM wakeup WHERE utid = " + ua + " AND waker_utid = " + ub + " AND run_cpu != 1")).isZero();
            assertThat(queryLong(c, "SELECT coalesce(sum(count), 0) FROM lost_events")).isZero();
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'end_reason'")).containsExactly("duration");
            assertThat(queryLong(c, "SELECT count(*) FROM runq_sample WHERE cpu = 1 AND len >= 1")).isPositive();
            // the kernel's own count, sampled at every flush on every CPU (~20 per second each)
            assertThat(Long.parseLong(queryStrings(c, "SELECT value FROM meta WHERE key = 'runq_kernel_samples'").get(0)))
                    .isGreaterThanOrEqualTo(2);
            assertThat(queryLong(c, "SELECT count(*) FROM tracer_cost")).isPositive();
            // NUMA: topology from sysfs through the collector, the balancing/migration programs attached
            assertThat(queryLong(c, "SELECT count(*) FROM cpu")).isPositive();
            assertThat(queryLong(c, "SELECT count(*) FROM numa_node")).isPositive();
            assertThat(queryLong(c, "SELECT count(*) FROM numa_counter")).isPositive();
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'feature.sched_numa_tracepoints'")).containsExactly("recorded");
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'feature.task_numa_fault'")).hasSize(1);
        }
    }

    @Test
    void theRecordersOwnThreadsAreRecordedLikeAnyOther() throws Exception {
        // all or nothing: a switch between two of its own threads used to be dropped, so one thread's slice
        // absorbed the other's time; now every switch, wakeup and migration of the recorder is recorded
        Path trace = dir.resolve("self.ktrace");
        record(trace, RecordOptions.defaults().withStacks(null), () -> run(kstest.toString(), "pingpong", Integer.toString(ROUNDS)));
        int self = (int) ProcessHandle.current().pid();
        try (Connection c = open(trace)) {
            String mine = "(SELECT utid FROM thread WHERE upid IN (SELECT upid FROM process WHERE pid = " + self + "))";
            assertThat(queryLong(c, "SELECT count(*) FROM sched_slice WHERE utid IN " + mine)).isPositive();
            // the writer waits for batches and the reader wakes it: their wakeups are there (all were dropped)
            assertThat(queryLong(c, "SELECT count(*) FROM wakeup WHERE reason = 0 AND utid IN " + mine)).isPositive();
            // a switch from one of its threads straight to another (all were dropped)
            assertThat(queryLong(c, "SELECT count(*) FROM (SELECT utid, cpu, ts + dur AS end_ts, lead(utid) OVER w AS nxt, "
                    + "lead(ts) OVER w AS nxt_ts FROM sched_slice WINDOW w AS (PARTITION BY cpu ORDER BY ts)) "
                    + "WHERE utid IN " + mine + " AND nxt IN " + mine + " AND nxt != utid AND nxt_ts = end_ts")).isPositive();
            // every wakeup of one of the recorder's threads that ran is followed by a slice of it starting then
            assertThat(queryLong(c, "SELECT count(*) FROM wakeup w WHERE w.utid IN " + mine + " AND w.run_ts IS NOT NULL "
                    + "AND NOT EXISTS (SELECT 1 FROM sched_slice s WHERE s.utid = w.utid AND s.ts = w.run_ts)")).isZero();
        }
    }

    @Test
    void aCpuFilterKeepsOnlyThoseCpus() throws Exception {
        // the ping-pong runs pinned to CPU 1; stacks stay on, so both objects load with the filter
        Path trace = dir.resolve("cpus.ktrace");
        java.util.BitSet one = new java.util.BitSet();
        one.set(1);
        record(trace, RecordOptions.defaults().withCpus(one), () -> run(kstest.toString(), "pingpong", Integer.toString(ROUNDS)));
        try (Connection c = open(trace)) {
            assertThat(queryLong(c, "SELECT count(*) FROM sched_slice WHERE cpu = 1")).isGreaterThanOrEqualTo(2L * ROUNDS);
            assertThat(queryLong(c, "SELECT count(*) FROM sched_slice WHERE cpu <> 1")).isZero();
            assertThat(queryLong(c, "SELECT count(*) FROM stack_sample WHERE cpu <> 1")).isZero();
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'feature.stacks'").get(0)).startsWith("on-cpu");
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'filter.cpus'")).containsExactly("1");
        }
    }

    @Test
    void withAPidFilterTheRunQueueComesFromTheKernelsOwnCount() throws Exception {
        // the events of other processes are filtered out in BPF, so lengths cannot be derived from them
        Path trace = dir.resolve("pid.ktrace");
        Recorder.Stats stats = record(trace, RecordOptions.defaults().withStacks(null).withPid(1),
                () -> run(kstest.toString(), "pingpong", "20000"));
        long seconds = (stats.endTs() - stats.startTs()) / 1_000_000_000L + 1;
        int cpus = Runtime.getRuntime().availableProcessors();
        try (Connection c = open(trace)) {
            long kernel = Long.parseLong(queryStrings(c, "SELECT value FROM meta WHERE key = 'runq_kernel_samples'").get(0));
            assertThat(kernel).isBetween((long) cpus, cpus * 25L * seconds);
            assertThat(queryLong(c, "SELECT count(*) FROM runq_sample")).isBetween(1L, kernel);
            // while the ping-pong ran on CPU 1, one of its two threads was always on that run queue
            assertThat(queryLong(c, "SELECT max(len) FROM runq_sample WHERE cpu = 1")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void programRunTimeIsSampledWhileRecording() throws Exception {
        // Run-time stats are switched on for 100 ms every 2 s (they cost ~58 ns per event): record past one window.
        Path trace = dir.resolve("cost.ktrace");
        // ~1 s of ping-pong: the first window opens when the writer thread has scanned /proc, which on a machine
        // with many processes can take longer than 20 000 rounds
        record(trace, RecordOptions.defaults().withStacks(null), () -> run(kstest.toString(), "pingpong", "200000"));
        try (Connection c = open(trace)) {
            assertThat(queryLong(c, "SELECT max(run_cnt) FROM bpf_prog_stats WHERE prog = 'sched_switch_btf'")).isPositive();
            assertThat(queryLong(c, "SELECT max(run_time_ns) FROM bpf_prog_stats WHERE prog = 'sched_switch_btf'")).isPositive();
            assertThat(queryLong(c, "SELECT count(*) FROM tracer_cost WHERE cpu_time_ns > 0")).isPositive();
        }
    }

    @Test
    void execAndRenameShowBothNamesInOrder() throws Exception {
        Path trace = dir.resolve("rename.ktrace");
        String[] pid = new String[1];
        record(trace, RecordOptions.defaults(), () -> pid[0] = run(kstest.toString(), "rename", "ks-renamed"));
        try (Connection c = open(trace)) {
            List<String> names = queryStrings(c, "SELECT name FROM thread_name WHERE utid = (SELECT max(utid) FROM thread "
                    + "WHERE tid = " + pid[0] + ") ORDER BY ts");
            assertThat(names).containsSubsequence("kstest", "ks-renamed");
            assertThat(names.get(names.size() - 1)).isEqualTo("ks-renamed");
            long execTs = queryLong(c, "SELECT min(ts) FROM thread_name WHERE name = 'kstest' AND utid IN (SELECT utid FROM thread WHERE tid = " + pid[0] + ")");
            long renameTs = queryLong(c, "SELECT min(ts) FROM thread_name WHERE name = 'ks-renamed'");
            // the workload sleeps 50 ms between exec and rename
            assertThat(renameTs - execTs).isBetween(40_000_000L, 500_000_000L);
            assertThat(queryStrings(c, "SELECT name FROM process WHERE pid = " + pid[0])).contains("ks-renamed");
            assertThat(queryLong(c, "SELECT count(*) FROM thread WHERE tid = " + pid[0] + " AND end_ts IS NOT NULL")).isPositive();
        }
    }

    @Test
    void affinityChangeShowsAMigrationBetweenTheTwoCpus() throws Exception {
        Path trace = dir.resolve("migrate.ktrace");
        String[] pid = new String[1];
        record(trace, RecordOptions.defaults(), () -> pid[0] = run(kstest.toString(), "migrate"));
        try (Connection c = open(trace)) {
            assertThat(queryLong(c, "SELECT count(*) FROM migration WHERE orig_cpu = 0 AND dest_cpu = 1 AND utid IN "
                    + "(SELECT utid FROM thread WHERE tid = " + pid[0] + ")")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void overfullRingBufferCountsLossesAndStillWritesAValidFile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("perf"), "needs perf (linux-perf) for the load");
        Path trace = dir.resolve("lossy.ktrace");
        // A 1 MiB ring, and the writer held up meanwhile by another connection's write lock, as a slow disk
        // would: the load's ~400 k events overfill the reader's batches (~130 k events) and the ring (~30 k).
        // Without stacks, whose per-switch cost would slow the load.
        RecordOptions tiny = new RecordOptions(null, 0, 1, 500, false, "test", null);
        Recorder.Stats stats = record(trace, tiny, () -> {
            try (Connection lock = open(trace); java.sql.Statement st = lock.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                st.execute("BEGIN IMMEDIATE");
                run("taskset", "-c", "1", "perf", "bench", "sched", "pipe", "-l", "100000");
                st.execute("ROLLBACK");
            }
        });
        assertThat(stats.lost()).isPositive();
        try (Connection c = open(trace)) {
            assertThat(queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
            assertThat(queryLong(c, "SELECT sum(count) FROM lost_events WHERE source = 'ringbuf'")).isEqualTo(stats.lost());
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'lost_events'")).containsExactly(Long.toString(stats.lost()));
            assertThat(queryLong(c, "SELECT count(*) FROM sched_slice")).isPositive();
        }
    }
}
