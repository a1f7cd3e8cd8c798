package dev.kernscope.storage;

import dev.kernscope.storage.Model.Cpu;
import dev.kernscope.storage.Model.ThreadSummary;
import dev.kernscope.storage.Model.Wakeup;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Per-thread queries of one {@link TraceReader}: runnable intervals (wakeups), wakeup latencies and the
 * per-thread summary of a window (running time, wait, latency percentiles, switches, migrations).
 *
 * <p>Thread-safe: every query holds the reader's lock, as the reader's own methods do.
 */
final class ThreadQueries {
    private final TraceReader reader;

    ThreadQueries(TraceReader reader) {
        this.reader = reader;
    }

    /** Runnable intervals of one thread that start in [from, to), oldest first. */
    List<Wakeup> wakeups(int utid, long from, long to) throws IOException {
        return reader.list("wakeups", "SELECT ts, utid, coalesce(waker_utid, 0), target_cpu, run_ts, run_cpu, reason "
                + "FROM wakeup WHERE utid = ? AND ts >= ? AND ts < ? ORDER BY ts", ThreadQueries::wakeup, utid, from, to);
    }

    /** All runnable intervals that start in [from, to), by time. */
    List<Wakeup> wakeups(long from, long to) throws IOException {
        return reader.list("wakeups", "SELECT ts, utid, coalesce(waker_utid, 0), target_cpu, run_ts, run_cpu, reason "
                + "FROM wakeup WHERE ts >= ? AND ts < ? ORDER BY ts", ThreadQueries::wakeup, from, to);
    }

    private static Wakeup wakeup(ResultSet rs) throws SQLException {
        return new Wakeup(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), TraceReader.longOrNull(rs, 5),
                TraceReader.intOrNull(rs, 6), rs.getInt(7));
    }

    /** See {@link TraceReader#wakeupLatencies}. */
    long[] wakeupLatencies(long from, long to, IntPredicate utids) throws IOException {
        synchronized (reader) {
            long[] out = new long[1024];
            int n = 0;
            try {
                PreparedStatement ps = reader.stmt("SELECT utid, run_ts - ts FROM wakeup" + (reader.wide(from, to) ? " NOT INDEXED" : "")
                        + " WHERE ts >= ? AND ts < ? AND reason IN (0, 1) AND run_ts IS NOT NULL");
                ps.setLong(1, from);
                ps.setLong(2, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!utids.test(rs.getInt(1))) continue;
                        if (n == out.length) out = Arrays.copyOf(out, n * 2);
                        out[n++] = rs.getLong(2);
                    }
                }
            } catch (SQLException e) {
                throw TraceReader.queryError("wakeup latencies", e);
            }
            return Arrays.copyOf(out, n);
        }
    }

    /** As {@link TraceReader#threadSummaries(long, long)}; {@code wide} picks the plan (tests compare both). */
    List<ThreadSummary> threadSummaries(long from, long to, boolean wide) throws IOException {
        synchronized (reader) {
            Map<Integer, long[]> acc = new HashMap<>(); // runtime, wait, switches, migrations
            Map<Integer, long[]> lat = new HashMap<>();
            try {
                // utids are small dense keys (the slice decoder checks them against the thread table): per-slice
                // sums go into arrays, not a boxed map
                long[] runtime = new long[64], switches = new long[64];
                for (Cpu c : reader.cpus()) {
                    SliceBlock b = reader.slices(c.cpu(), from, to);
                    for (int i = 0; i < b.size; i++) {
                        int u = b.utid[i];
                        if (u >= runtime.length) {
                            runtime = Arrays.copyOf(runtime, Math.max(u + 1, runtime.length * 2));
                            switches = Arrays.copyOf(switches, runtime.length);
                        }
                        runtime[u] += Math.min(b.ts[i] + b.dur[i], to) - Math.max(b.ts[i], from);
                        if (b.ts[i] >= from) switches[u]++;
                    }
                }
                for (int u = 0; u < runtime.length; u++) {
                    if (runtime[u] == 0 && switches[u] == 0) continue;
                    long[] a = acc.computeIfAbsent(u, k -> new long[4]);
                    a[0] = runtime[u];
                    a[2] = switches[u];
                }
                if (wide) {
                    waitAndLatencyInOnePass(from, to, acc, lat);
                } else {
                    waitAndLatency(from, to, acc, lat);
                }
                PreparedStatement mig = reader.stmt("SELECT utid, count(*) FROM migration WHERE ts >= ? AND ts < ? GROUP BY utid");
                mig.setLong(1, from);
                mig.setLong(2, to);
                try (ResultSet rs = mig.executeQuery()) {
                    while (rs.next()) acc.computeIfAbsent(rs.getInt(1), k -> new long[4])[3] = rs.getLong(2);
                }
                for (Integer u : lat.keySet()) acc.computeIfAbsent(u, k -> new long[4]);
            } catch (SQLException e) {
                throw TraceReader.queryError("thread summary", e);
            }
            Map<Integer, Model.Thread> threads = new HashMap<>();
            for (Model.Thread t : reader.threads()) threads.put(t.utid(), t);
            List<ThreadSummary> out = new ArrayList<>();
            for (Map.Entry<Integer, long[]> e : acc.entrySet()) {
                int utid = e.getKey();
                long[] a = e.getValue();
                long[] l = lat.getOrDefault(utid, new long[0]);
                Model.Thread t = threads.get(utid);
                out.add(new ThreadSummary(utid, t == null ? 0 : t.tid(), t == null ? 0 : t.pid(),
                        t == null ? null : t.name(), t == null ? null : t.processName(), a[0], a[1], l.length,
                        percentile(l, 50), percentile(l, 95), percentile(l, 99), l.length == 0 ? 0 : l[l.length - 1],
                        a[2], a[3]));
            }
            out.sort((x, y) -> x.runtime() != y.runtime() ? Long.compare(y.runtime(), x.runtime())
                    : Integer.compare(x.utid(), y.utid()));
            return out;
        }
    }

    /** Wait time and wakeup latencies per thread through the indexes (narrow windows). */
    private void waitAndLatency(long from, long to, Map<Integer, long[]> acc, Map<Integer, long[]> lat) throws SQLException {
        PreparedStatement wait = reader.stmt("SELECT utid, sum(min(coalesce(run_ts, ?2), ?2) - max(ts, ?1)) FROM wakeup "
                + "WHERE ts < ?2 AND coalesce(run_ts, ?2) > ?1 GROUP BY utid");
        wait.setLong(1, from);
        wait.setLong(2, to);
        try (ResultSet rs = wait.executeQuery()) {
            while (rs.next()) acc.computeIfAbsent(rs.getInt(1), k -> new long[4])[1] = rs.getLong(2);
        }
        PreparedStatement l = reader.stmt("SELECT utid, run_ts - ts FROM wakeup WHERE ts >= ? AND ts < ? "
                + "AND reason IN (0, 1) AND run_ts IS NOT NULL ORDER BY utid, 2");
        l.setLong(1, from);
        l.setLong(2, to);
        try (ResultSet rs = l.executeQuery()) {
            int cur = -1;
            long[] buf = new long[256];
            int n = 0;
            while (rs.next()) {
                int u = rs.getInt(1);
                if (u != cur) {
                    if (cur >= 0) lat.put(cur, Arrays.copyOf(buf, n));
                    cur = u;
                    n = 0;
                }
                if (n == buf.length) buf = Arrays.copyOf(buf, n * 2);
                buf[n++] = rs.getLong(2);
            }
            if (cur >= 0) lat.put(cur, Arrays.copyOf(buf, n));
        }
    }

    /**
     * Wait time and wakeup latencies per thread in one pass over the wakeup table (wide windows): no index
     * lookups, no SQL grouping or sorting; each thread's latencies are sorted here.
     */
    private void waitAndLatencyInOnePass(long from, long to, Map<Integer, long[]> acc, Map<Integer, long[]> lat)
            throws SQLException {
        PreparedStatement ps = reader.stmt("SELECT utid, ts, coalesce(run_ts, -1), reason FROM wakeup NOT INDEXED "
                + "WHERE ts < ?2 AND (coalesce(run_ts, ?2) > ?1 OR ts >= ?1)");
        ps.setLong(1, from);
        ps.setLong(2, to);
        Map<Integer, long[]> lists = new HashMap<>(); // utid -> {n, v0, v1, ...}
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int u = rs.getInt(1);
                long ts = rs.getLong(2), run = rs.getLong(3);
                boolean ran = run >= 0; // (one JNI call fewer per row than wasNull)
                long end = ran ? Math.min(run, to) : to;
                acc.computeIfAbsent(u, k -> new long[4])[1] += end - Math.max(ts, from);
                int reason = rs.getInt(4);
                if (ran && ts >= from && (reason == 0 || reason == 1)) {
                    long[] l = lists.get(u);
                    if (l == null) lists.put(u, l = new long[17]);
                    int n = (int) l[0];
                    if (n + 1 == l.length) lists.put(u, l = Arrays.copyOf(l, l.length * 2));
                    l[n + 1] = run - ts;
                    l[0] = n + 1;
                }
            }
        }
        for (Map.Entry<Integer, long[]> e : lists.entrySet()) {
            long[] l = e.getValue();
            long[] v = Arrays.copyOfRange(l, 1, 1 + (int) l[0]);
            Arrays.sort(v);
            lat.put(e.getKey(), v);
        }
    }

    /** Nearest-rank percentile of sorted values: the value at rank ceil(p/100 * n); 0 when empty. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
