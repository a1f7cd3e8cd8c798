package dev.kernscope.app.desktop;

import dev.kernscope.app.adapt.ReaderTimelineSource;
import dev.kernscope.storage.Model;
import dev.kernscope.storage.TraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One open trace: its reader, the timeline adapter and the summary read at open time. Opening reads the
 * whole-trace summary, so it belongs off the FX thread. {@link #refreshLive} re-reads what grows while the
 * file is being recorded. Fields are written by the thread that opens or refreshes and read on the FX thread
 * after a hand-over through {@code Platform.runLater}.
 */
public final class TraceDocument implements AutoCloseable {
    private final Path path;
    private final TraceReader reader;
    private final boolean syntheticSample;
    private volatile ReaderTimelineSource source;
    private volatile Model.Summary summary;
    private volatile boolean live;
    private volatile Model.TracerCost cost;
    private dev.kernscope.storage.FlameQueries flames;

    private TraceDocument(Path path, TraceReader reader, boolean syntheticSample) {
        this.path = path;
        this.reader = reader;
        this.syntheticSample = syntheticSample;
    }

    /** Opens and validates {@code path}; a file that is not a trace fails with a one-sentence message. */
    public static TraceDocument open(Path path, boolean syntheticSample) throws IOException {
        TraceReader r = TraceReader.open(path);
        try {
            TraceDocument d = new TraceDocument(path, r, syntheticSample);
            d.live = r.isLive();
            d.summary = r.summary();
            d.source = ReaderTimelineSource.open(r);
            d.cost = r.latestTracerCost();
            return d;
        } catch (Throwable e) { // errors too: a damaged trace can run a query out of memory
            r.close();
            throw e;
        }
    }

    /**
     * Re-reads bounds, liveness and the recorder's cost; returns true when the trace grew or ended. The row
     * counts are only re-read when {@code counts} (they cost a scan per table).
     */
    public boolean refreshLive(boolean counts, boolean threads) throws IOException {
        long oldEnd = source.traceEnd();
        boolean wasLive = live;
        live = reader.isLive();
        long[] b = reader.bounds();
        cost = reader.latestTracerCost();
        boolean changed = b[1] != oldEnd || live != wasLive;
        if (changed || threads) source = source.withEnd(b[1], threads || !live);
        if (counts || !live) summary = reader.summary();
        return changed;
    }

    /** The flame queries of this trace (one instance per reader: it caches the stack table). */
    public synchronized dev.kernscope.storage.FlameQueries flames() {
        if (flames == null) flames = new dev.kernscope.storage.FlameQueries(reader);
        return flames;
    }

    public Path path() { return path; }
    public TraceReader reader() { return reader; }
    public ReaderTimelineSource source() { return source; }
    public Model.Summary summary() { return summary; }
    public boolean isLive() { return live; }
    public Model.TracerCost tracerCost() { return cost; }

    /** True for generated data: the bundled fallback sample or any file {@code kernscope gen} wrote. */
    public boolean isSynthetic() { return syntheticSample || summary.synthetic(); }

    public boolean isSyntheticSample() { return syntheticSample; }

    /** Tab title: the file name, marked when synthetic or still recording. */
    public String title() {
        String name = String.valueOf(path.getFileName());
        if (syntheticSample) return "SYNTHETIC sample";
        return (live ? "● " : "") + name + (isSynthetic() ? " (SYNTHETIC)" : "");
    }

    /** Sched events stored: slices, wakeups, migrations, run-queue samples, stack samples, NUMA events. */
    public long eventCount() {
        Map<String, Long> c = summary.rowCounts();
        long n = 0;
        for (String t : new String[] {"sched_slice", "wakeup", "migration", "runq_sample", "stack_sample",
                "numa_fault", "numa_decision", "page_migration"}) {
            n += c.getOrDefault(t, 0L);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
