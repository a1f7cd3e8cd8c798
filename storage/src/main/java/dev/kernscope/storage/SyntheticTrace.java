package dev.kernscope.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic trace generator: the same parameters and seed give the same file. It writes
 * through {@link TraceWriter} like the recorder does and marks the file {@code synthetic=1}, so tests and
 * benchmarks exercise the real path; the data is plausible, never presented as a recording.
 *
 * <p>Not thread-safe; each {@link #generate} call is independent.
 */
public final class SyntheticTrace {
    /** Generator parameters; {@code slicesPerCpuSecond} sets the event rate. */
    public record Params(long seed, int cpus, int nodes, int processes, int threadsPerProcess, double seconds,
                         int slicesPerCpuSecond, boolean stacks, boolean numa) {
        public Params {
            if (cpus < 1 || nodes < 1 || nodes > cpus) throw new IllegalArgumentException("need 1 <= nodes <= cpus");
            if (processes < 1 || threadsPerProcess < 1) throw new IllegalArgumentException("need processes and threads");
            if (seconds <= 0 || slicesPerCpuSecond < 1) throw new IllegalArgumentException("need a positive duration and rate");
        }

        public static Params defaults(int cpus, double seconds) {
            return new Params(42, cpus, cpus >= 4 ? 2 : 1, Math.max(4, cpus * 2), 4, seconds, 2000, true, true);
        }
    }

    /** Start of every synthetic trace on its clock (1 s after a pretend boot). */
    public static final long START_TS = 1_000_000_000L;
    private static final long WINDOW = 10_000_000L; // CPUs are interleaved in 10 ms windows
    private static final String[] PROCESS_NAMES = {"postgres", "nginx", "java", "redis-server", "python3",
            "node", "clickhouse", "envoy", "kworker", "rustc"};
    private static final String[][] USER_FRAMES = {
            {"_start", "__libc_start_main", "main", "run_event_loop", "handle_request", "parse_header"},
            {"_start", "__libc_start_main", "main", "run_event_loop", "handle_request", "compute_checksum"},
            {"_start", "__libc_start_main", "main", "worker_thread", "hash_join_probe"},
            {"_start", "__libc_start_main", "main", "worker_thread", "sort_partition", "memcpy"},
            {"_start", "__libc_start_main", "main", "gc_thread", "mark_objects"}};
    private static final String[][] KERNEL_FRAMES = {
            {"entry_SYSCALL_64", "do_syscall_64", "ksys_read", "vfs_read", "pipe_read", "schedule"},
            {"entry_SYSCALL_64", "do_syscall_64", "__x64_sys_epoll_wait", "do_epoll_wait", "schedule_hrtimeout_range", "schedule"},
            {"entry_SYSCALL_64", "do_syscall_64", "__x64_sys_futex", "do_futex", "futex_wait", "schedule"}};

    private SyntheticTrace() {}

    /** Writes a finished synthetic trace to {@code out} (overwriting it) and returns the slice count. */
    public static long generate(Path out, Params p) throws IOException {
        try (TraceWriter w = TraceWriter.create(out, true)) {
            return new Gen(w, p).run();
        }
    }

    private static final class Gen {
        final TraceWriter w;
        final Params p;
        final SplittableRandom rnd;
        final int threads;
        final int[] utid, upidOf, lastCpu, procOf;
        final long[] busyUntil;
        final long[] cpuTime;
        final int[][] home;
        final int[] homeCount;
        final int[] runq;
        final long end;
        long slices;
        long[] frameIds;
        long[][] userStackIds, kernelStackIds;
        long nextFrameId = 1, nextStackId = 1;

        Gen(TraceWriter w, Params p) {
            this.w = w;
            this.p = p;
            this.rnd = new SplittableRandom(p.seed());
            this.threads = p.processes() * p.threadsPerProcess();
            utid = new int[threads];
            upidOf = new int[threads];
            lastCpu = new int[threads];
            procOf = new int[threads];
            busyUntil = new long[threads];
            cpuTime = new long[p.cpus()];
            home = new int[p.cpus()][threads];
            homeCount = new int[p.cpus()];
            runq = new int[p.cpus()];
            end = START_TS + (long) (p.seconds() * 1e9);
        }

        long run() throws IOException {
            writeTopology();
            writeThreads();
            if (p.stacks()) writeStackTables();
            for (int c = 0; c < p.cpus(); c++) cpuTime[c] = START_TS;
            long nextNuma = START_TS;
            long nextPages = START_TS;
            long[] numaHit = new long[p.nodes()];
            long[] otherNode = new long[p.nodes()];
            for (long win = START_TS; win < end; win += WINDOW) {
                long winEnd = Math.min(end, win + WINDOW);
                for (int c = 0; c < p.cpus(); c++) fillCpu(c, winEnd);
                if (p.numa()) {
                    for (; nextNuma < winEnd; nextNuma += 100_000_000L) writeNumaCounters(nextNuma, numaHit, otherNode);
                    for (; nextPages < winEnd; nextPages += 1_000_000_000L) writeProcessPages(nextPages);
                }
                if (rnd.nextInt(50) == 0) w.lost(winEnd, rnd.nextInt(p.cpus()), "ringbuf", 1 + rnd.nextInt(20));
                w.flush();
            }
            w.meta("start_ts", Long.toString(START_TS));
            w.finish(end, "duration");
            return slices;
        }

        void writeTopology() throws IOException {
            w.meta("synthetic", "1");
            w.meta("hostname", "synthetic");
            w.meta("kernel_release", "synthetic");
            w.meta("cpu_count", Integer.toString(p.cpus()));
            w.meta("numa_node_count", Integer.toString(p.nodes()));
            w.meta("cmdline", "kernscope gen --seed " + p.seed() + " --cpus " + p.cpus() + " --seconds " + p.seconds());
            w.meta("start_ts", Long.toString(START_TS));
            w.meta("feature.numa_balancing", p.numa() ? "on" : "absent");
            int perNode = p.cpus() / p.nodes();
            for (int n = 0; n < p.nodes(); n++) {
                int lo = n * perNode, hi = n == p.nodes() - 1 ? p.cpus() - 1 : lo + perNode - 1;
                w.numaNode(n, 16L << 30, lo == hi ? Integer.toString(lo) : lo + "-" + hi);
                for (int m = 0; m < p.nodes(); m++) w.numaDistance(n, m, n == m ? 10 : 19 + Math.abs(n - m));
            }
            for (int c = 0; c < p.cpus(); c++) w.cpu(c, Math.min(p.nodes() - 1, c / perNode), true);
        }

        void writeThreads() throws IOException {
            int t = 0;
            for (int pr = 0; pr < p.processes(); pr++) {
                String pname = PROCESS_NAMES[pr % PROCESS_NAMES.length] + (pr >= PROCESS_NAMES.length ? "-" + pr : "");
                int pid = 1000 + pr * 50;
                int upid = w.newProcess(pid, pname, "/usr/bin/" + pname, 0, START_TS);
                for (int i = 0; i < p.threadsPerProcess(); i++, t++) {
                    String tname = i == 0 ? pname : pname.substring(0, Math.min(8, pname.length())).replaceAll("-+$", "") + "-w" + i;
                    utid[t] = w.newThread(pid + i, upid, tname, START_TS);
                    upidOf[t] = upid;
                    procOf[t] = pr;
                    int c = t % p.cpus();
                    lastCpu[t] = c;
                    home[c][homeCount[c]++] = t;
                    busyUntil[t] = START_TS;
                }
            }
        }

        void writeStackTables() throws IOException {
            userStackIds = new long[USER_FRAMES.length][];
            kernelStackIds = new long[KERNEL_FRAMES.length][];
            for (int i = 0; i < USER_FRAMES.length; i++) userStackIds[i] = chain(USER_FRAMES[i], 0, TraceWriter.FRAME_USER, "/usr/bin/app");
            for (int i = 0; i < KERNEL_FRAMES.length; i++) {
                // Off-CPU stacks: a user caller chain with the blocking syscall's kernel frames at the leaf.
                long parent = userStackIds[i % USER_FRAMES.length][USER_FRAMES[i % USER_FRAMES.length].length - 2];
                kernelStackIds[i] = chain(KERNEL_FRAMES[i], parent, TraceWriter.FRAME_KERNEL, "[kernel]");
            }
        }

        long[] chain(String[] frames, long parent, int kind, String module) throws IOException {
            long[] ids = new long[frames.length];
            int depth0 = 0;
            if (parent > 0) depth0 = 5;
            for (int i = 0; i < frames.length; i++) {
                long fid = nextFrameId++;
                w.frame(fid, frames[i], module, kind, 0x1000L * (i + 1));
                long sid = nextStackId++;
                w.stack(sid, i == 0 ? parent : ids[i - 1], fid, depth0 + i);
                ids[i] = sid;
            }
            return ids;
        }

        void fillCpu(int c, long winEnd) throws IOException {
            long t = cpuTime[c];
            double mean = 1e9 / p.slicesPerCpuSecond();
            while (t < winEnd) {
                // idle gap, then pick a runnable thread homed here (or steal one from another CPU: a migration)
                long gap = (long) (exp(mean * 0.3));
                t += gap;
                if (t >= winEnd) break;
                int th = pick(c, t);
                if (th < 0) {
                    t += (long) exp(mean * 0.3);
                    continue;
                }
                long dur = Math.max(500, (long) exp(mean * 0.7));
                if (t + dur > end) dur = end - t;
                if (dur <= 0) break;
                long prevEnd = busyUntil[th];
                long latency = Math.min((long) exp(40_000), Math.max(0, t - prevEnd));
                int wakerIdx = rnd.nextInt(threads);
                boolean preempted = rnd.nextInt(10) == 0;
                w.wakeup(t - latency, utid[th], preempted ? 0 : utid[wakerIdx], c, t, c, preempted ? 2 : 0);
                if (lastCpu[th] != c) {
                    w.migration(t - latency, utid[th], lastCpu[th], c);
                    lastCpu[th] = c;
                }
                int endState = preempted ? 0 : rnd.nextInt(20) == 0 ? 2 : 1;
                w.slice(c, t, dur, utid[th], endState, 120 - (procOf[th] % 3 == 0 ? 5 : 0));
                slices++;
                if (p.stacks()) writeSamples(th, c, t, dur, prevEnd, latency, wakerIdx);
                int q = Math.max(0, Math.min(12, runq[c] + rnd.nextInt(3) - 1));
                if (q != runq[c] || rnd.nextInt(8) == 0) {
                    runq[c] = q;
                    w.runqSample(t, c, q + 1);
                }
                busyUntil[th] = t + dur;
                t += dur;
            }
            cpuTime[c] = Math.max(t, winEnd);
        }

        /** A runnable thread for CPU c at t: usually one homed there, rarely a steal from anywhere (a migration). */
        int pick(int c, long t) {
            if (rnd.nextInt(200) == 0) {
                int th = rnd.nextInt(threads);
                return busyUntil[th] <= t ? th : -1;
            }
            for (int tries = 0; tries < 4 && homeCount[c] > 0; tries++) {
                int th = home[c][rnd.nextInt(homeCount[c])];
                if (busyUntil[th] <= t) return th;
            }
            return -1;
        }

        void writeSamples(int th, int c, long t, long dur, long blockedSince, long latency, int waker) throws IOException {
            long period = 10_101_010L; // 99 Hz
            long phase = Math.floorMod(-t, period);
            for (long s = t + phase; s < t + dur; s += period) {
                long[] chain = userStackIds[(procOf[th] + rnd.nextInt(2)) % userStackIds.length];
                w.stackSample(s, utid[th], c, chain[chain.length - 1], TraceWriter.SAMPLE_ON_CPU, period, 0, 0);
            }
            // Off-CPU: the thread was blocked from its last switch-out until its wakeup (the runnable wait
            // that follows is scheduler latency, not blocking), recorded when at least 1 ms as the recorder does.
            long blocked = t - latency - blockedSince;
            if (blockedSince > START_TS && blocked >= 1_000_000) {
                long[] k = kernelStackIds[procOf[th] % kernelStackIds.length];
                long[] wk = userStackIds[procOf[waker] % userStackIds.length];
                w.stackSample(blockedSince, utid[th], c, k[k.length - 1], TraceWriter.SAMPLE_OFF_CPU, blocked,
                        utid[waker], wk[wk.length - 1]);
            }
        }

        void writeNumaCounters(long ts, long[] hit, long[] other) throws IOException {
            for (int n = 0; n < p.nodes(); n++) {
                long dh = 20_000 + rnd.nextInt(5_000);
                long dothers = p.nodes() > 1 ? 500 + rnd.nextInt(1_500) : 0;
                hit[n] += dh;
                other[n] += dothers;
                w.numaCounter(ts, n, "numa_hit", hit[n], dh, dh * 10.0);
                w.numaCounter(ts, n, "local_node", hit[n] - other[n], dh - dothers, (dh - dothers) * 10.0);
                w.numaCounter(ts, n, "other_node", other[n], dothers, dothers * 10.0);
                long used = (6L << 30) + (long) ((ts - START_TS) / 1e9 * (64L << 20)) * (n + 1);
                w.numaCounter(ts, n, "MemUsed", used, 0, 0);
                w.numaCounter(ts, n, "MemFree", (16L << 30) - used, 0, 0);
                if (p.nodes() > 1) {
                    int cpuNode = n, memNode = rnd.nextInt(p.nodes());
                    int th = rnd.nextInt(threads);
                    w.numaFault(ts, utid[th], cpuNode * (p.cpus() / p.nodes()), cpuNode, memNode, 1 + rnd.nextInt(64), 0);
                }
            }
        }

        void writeProcessPages(long ts) throws IOException {
            for (int pr = 0; pr < p.processes(); pr++) {
                int upid = upidOf[pr * p.threadsPerProcess()];
                for (int n = 0; n < p.nodes(); n++) w.processNumaPages(ts, upid, n, 1000L * (pr + 1) * (n + 1) + rnd.nextInt(100));
            }
        }

        double exp(double mean) {
            return -Math.log(1 - rnd.nextDouble()) * mean;
        }
    }
}
