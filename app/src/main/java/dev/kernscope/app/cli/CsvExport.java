package dev.kernscope.app.cli;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.SliceBlock;
import dev.kernscope.storage.TraceReader;
import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.Map;

/** The CSV exports shared by the CLI and the desktop app: one method per table kind. Stateless. */
public final class CsvExport {
    /** Kinds accepted by {@code kernscope export --csv KIND}. */
    public enum Kind { slices, wakeups, threads }

    private CsvExport() {}

    /** Writes {@code kind} for [from, to) and returns the number of data rows. */
    public static long write(TraceReader r, Kind kind, long from, long to, Writer w) throws IOException {
        Csv csv = new Csv(w);
        return switch (kind) {
            case slices -> slices(r, from, to, csv);
            case wakeups -> wakeups(r, from, to, csv);
            case threads -> threads(r, from, to, csv);
        };
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
                        t == null ? null : t.pid(), t == null ? null : t.processName(), b.endState[i]);
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
        csv.row("utid", "tid", "thread", "pid", "process", "runtime_ns", "wait_ns", "wakeups", "latency_p50_ns",
                "latency_p95_ns", "latency_p99_ns", "latency_max_ns", "switches", "migrations");
        long n = 0;
        for (Model.ThreadSummary s : r.threadSummaries(from, to)) {
            csv.row(s.utid(), s.tid(), s.name(), s.pid(), s.processName(), s.runtime(), s.waitTime(), s.wakeups(),
                    s.latencyP50(), s.latencyP95(), s.latencyP99(), s.latencyMax(), s.switches(), s.migrations());
            n++;
        }
        return n;
    }

    static Map<Integer, Model.Thread> threadMap(TraceReader r) throws IOException {
        Map<Integer, Model.Thread> m = new HashMap<>();
        for (Model.Thread t : r.threads()) m.put(t.utid(), t);
        return m;
    }
}
