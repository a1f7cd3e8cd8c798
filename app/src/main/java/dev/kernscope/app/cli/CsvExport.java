package dev.kernscope.app.cli;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.SliceBlock;
import dev.kernscope.storage.Bookmarks;
import dev.kernscope.storage.CriticalPath;
import dev.kernscope.storage.ThreadState;
import dev.kernscope.storage.ThreadStates;
import dev.kernscope.storage.TraceReader;
import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.Map;

/** The CSV exports shared by the CLI and the desktop app: one method per table kind. Stateless. */
public final class CsvExport {
    /** Kinds accepted by {@code kernscope export --csv KIND}; spelled with hyphens on the command line. */
    public enum Kind {
        slices, wakeups, samples, threads, numa, thread_states, critical_path, critical_path_threads, bookmarks;

        /** Whether the kind is about one thread ({@code --thread}), or all threads when it allows none. */
        public boolean perThread() {
            return this == thread_states || this == critical_path || this == critical_path_threads;
        }

        @Override
        public String toString() {
            return name().replace('_', '-');
        }

        /** The kind named {@code s}, with hyphens or underscores. */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.toString().equals(s) || k.name().equals(s)) return k;
            }
            throw new IllegalArgumentException("unknown CSV kind '" + s + "' (one of " + java.util.Arrays.toString(values()) + ")");
        }
    }

    private CsvExport() {}

    /** Writes {@code kind} for [from, to) and returns the number of data rows; per-thread kinds cover all threads. */
    public static long write(TraceReader r, Kind kind, long from, long to, Writer w) throws IOException {
        return write(r, kind, from, to, null, w);
    }

    /**
     * Writes {@code kind} for [from, to) and returns the number of data rows. {@code utids}: the threads of a
     * per-thread kind (null = every thread; the critical path needs exactly one).
     */
    public static long write(TraceReader r, Kind kind, long from, long to, int[] utids, Writer w) throws IOException {
        Csv csv = new Csv(w);
        return switch (kind) {
            case slices -> slices(r, from, to, csv);
            case wakeups -> wakeups(r, from, to, csv);
            case threads -> threads(r, from, to, csv);
            case numa -> numa(r, from, to, csv);
            case samples -> samples(r, from, to, w);
            case thread_states -> threadStates(r, from, to, utids, csv);
            case critical_path -> criticalPath(r, from, to, one(kind, utids), csv);
            case critical_path_threads -> criticalPathThreads(r, from, to, one(kind, utids), csv);
            case bookmarks -> bookmarks(r, from, to, csv);
        };
    }

    private static int one(Kind kind, int[] utids) {
        if (utids == null || utids.length != 1) throw new IllegalArgumentException("--csv " + kind + " needs one thread: --thread NAME|TID");
        return utids[0];
    }

    /** Every state interval of the threads (all when null), thread by thread, oldest first. */
    static long threadStates(TraceReader r, long from, long to, int[] utids, Csv csv) throws IOException {
        Map<Integer, Model.Thread> threads = threadMap(r);
        int[] which = utids != null ? utids : threads.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        ThreadStates q = new ThreadStates(r);
        csv.row("ts", "dur", "tid", "thread", "state", "cpu", "waker_tid", "reason");
        long n = 0;
        for (int u : which) {
            Model.Thread t = threads.get(u);
            for (ThreadStates.Span s : q.states(u, from, to)) {
                Model.Thread wt = threads.get(s.wakerUtid());
                csv.row(s.ts(), s.dur(), t == null ? null : t.tid(), t == null ? null : t.name(), s.state().word(),
                        s.cpu() < 0 ? null : s.cpu(), wt == null ? null : wt.tid(), reason(s.state()));
                n++;
            }
        }
        return n;
    }

    /** The trace's bookmarks that overlap [from, to): marks have dur 0; where says whether the trace or the file beside it holds them. */
    static long bookmarks(TraceReader r, long from, long to, Csv csv) throws IOException {
        csv.row("ts", "dur", "name", "stored");
        long n = 0;
        for (Bookmarks.Bookmark b : Bookmarks.of(r.path()).list()) {
            if (b.ts() >= to || b.end() < from) continue;
            csv.row(b.ts(), b.dur(), b.name(), b.inTrace() ? "trace" : "beside");
            n++;
        }
        return n;
    }

    /** Why a runnable interval began: {@code preempted} or {@code woken}; empty for other states. */
    static String reason(ThreadState s) {
        return s == ThreadState.PREEMPTED ? "preempted" : s == ThreadState.WOKEN ? "woken" : null;
    }

    /** The critical path of one thread, one row per segment, oldest first. */
    static long criticalPath(TraceReader r, long from, long to, int utid, Csv csv) throws IOException {
        Map<Integer, Model.Thread> threads = threadMap(r);
        csv.row("ts", "dur", "tid", "thread", "state", "cpu");
        long n = 0;
        for (CriticalPath.Segment s : new CriticalPath(r).segments(utid, from, to)) {
            Model.Thread t = threads.get(s.utid());
            csv.row(s.ts(), s.dur(), t == null ? null : t.tid(), t == null ? null : t.name(), s.state().word(),
                    s.cpu() < 0 ? null : s.cpu());
            n++;
        }
        return n;
    }

    /** The critical path's table: per thread on it, time running, runnable and blocked, and NUMA events in it. */
    static long criticalPathThreads(TraceReader r, long from, long to, int utid, Csv csv) throws IOException {
        Map<Integer, Model.Thread> threads = threadMap(r);
        csv.row("tid", "thread", "process", "on_path_ns", "running_ns", "runnable_ns", "blocked_ns", "numa_faults",
                "numa_fault_pages", "pages_migrated", "cross_node_moves");
        long n = 0;
        for (CriticalPath.ThreadTotal s : new CriticalPath(r).path(utid, from, to).threads()) {
            Model.Thread t = threads.get(s.utid());
            csv.row(t == null ? null : t.tid(), t == null ? null : t.name(), t == null ? null : t.processName(),
                    s.total(), s.running(), s.runnable(), s.blocked(), s.faults(), s.faultPages(), s.migratedPages(),
                    s.crossNodeMoves());
            n++;
        }
        return n;
    }

    static long slices(TraceReader r, long from, long to, Csv csv) throws IOException {
        Map<Integer, Model.Thread> threads = threadMap(r);
        csv.row("ts", "dur", "cpu", "utid", "tid", "thread", "pid", "process", "end_state");
        long n = 0;
        for (Model.Cpu c : r.cpus()) {
            SliceBlock b = r.slices(c.cpu(), from, to);
            for (int i = 0; i < b.size(); i++) {
                Model.Thread t = threads.get(b.utid[i]);
                csv.row(b.ts[i], b.dur[i], c.cpu(), b.utid[i], t == null ? null : t.tid(), t == null ? null : t.name(),
                        t == null ? null : t.pid(), t == null ? null : t.processName(),
                        dev.kernscope.storage.SliceState.of(b.endState[i]).word());
                n++;
            }
        }
        return n;
    }

    static long wakeups(TraceReader r, long from, long to, Csv csv) throws IOException {
        Map<Integer, Model.Thread> threads = threadMap(r);
        csv.row("ts", "utid", "tid", "thread", "waker_utid", "waker_tid", "target_cpu", "run_ts", "run_cpu", "latency", "reason");
        long n = 0;
        for (Model.Wakeup wk : r.wakeups(from, to)) {
            Model.Thread t = threads.get(wk.utid()), wt = threads.get(wk.wakerUtid());
            csv.row(wk.ts(), wk.utid(), t == null ? null : t.tid(), t == null ? null : t.name(),
                    wk.wakerUtid() == 0 ? null : wk.wakerUtid(), wt == null ? null : wt.tid(), wk.targetCpu(),
                    wk.runTs(), wk.runCpu(), wk.runTs() == null ? null : wk.latency(),
                    switch (wk.reason()) { case 0 -> "wakeup"; case 1 -> "wakeup_new"; default -> "preempted"; });
            n++;
        }
        return n;
    }

    static long threads(TraceReader r, long from, long to, Csv csv) throws IOException {
        return threadRows(r.threadSummaries(from, to), csv);
    }

    /** Thread summaries as rows (the app's Threads table writes the rows it shows). */
    public static long threadRows(java.util.List<Model.ThreadSummary> rows, Writer w) throws IOException {
        return threadRows(rows, new Csv(w));
    }

    static long threadRows(java.util.List<Model.ThreadSummary> rows, Csv csv) throws IOException {
        csv.row("utid", "tid", "thread", "pid", "process", "runtime_ns", "wait_ns", "wakeups", "latency_p50_ns",
                "latency_p95_ns", "latency_p99_ns", "latency_max_ns", "switches", "migrations");
        long n = 0;
        for (Model.ThreadSummary s : rows) {
            boolean woken = s.wakeups() > 0; // no wakeups, no latency: empty fields rather than 0
            csv.row(s.utid(), s.tid(), s.name(), s.pid(), s.processName(), s.runtime(), s.waitTime(), s.wakeups(),
                    woken ? s.latencyP50() : null, woken ? s.latencyP95() : null, woken ? s.latencyP99() : null,
                    woken ? s.latencyMax() : null, s.switches(), s.migrations());
            n++;
        }
        return n;
    }

    /**
     * Stack samples of the window (on- and off-CPU) aggregated per call-tree node, in pre-order:
     * depth, frame, module, kind, self and total weight (ns), self and total sample counts.
     */
    static long samples(TraceReader r, long from, long to, Writer w) throws IOException {
        FlameTree t = new FlameQueries(r).tree(FlameQueries.Filter.of(from, to, FlameQueries.Mode.WALL));
        StringBuilder sb = new StringBuilder();
        t.writeCsv(sb);
        // FlameTree writes LF line ends; RFC 4180 wants CRLF like the other exports
        w.write(sb.toString().replace("\n", "\r\n"));
        return Math.max(0, t.size());
    }

    /** Every NUMA counter sample in the window, one row per (node, counter, sample). */
    static long numa(TraceReader r, long from, long to, Csv csv) throws IOException {
        NumaQueries q = new NumaQueries(r);
        csv.row("ts", "node", "counter", "value", "delta", "rate_per_s");
        long n = 0;
        for (NumaQueries.CounterKey k : q.counterKeys()) {
            // one point per sample: ask for more buckets than there can be samples at the collector's rate
            int points = (int) Math.min(1_000_000, Math.max(16, (to - from) / 1_000_000));
            NumaQueries.CounterSeries s = q.counterSeries(k.node(), k.name(), from, to, points);
            for (int i = 0; i < s.size(); i++) {
                csv.row(s.ts()[i], k.node(), k.name(), s.value()[i], s.delta()[i], s.rate()[i]);
                n++;
            }
        }
        return n;
    }

    static Map<Integer, Model.Thread> threadMap(TraceReader r) throws IOException {
        Map<Integer, Model.Thread> m = new HashMap<>();
        for (Model.Thread t : r.threads()) m.put(t.utid(), t);
        return m;
    }
}
