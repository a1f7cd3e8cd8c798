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
    /**
     * The timeline's connection (lanes, run queues, markers, live refresh); {@link #reader()} is a second one for
     * panels and exports, opened when first needed, so a whole-trace panel query never holds up the lanes.
     */
    private final TraceReader lanes;
    private TraceReader reader;
    private boolean closed;
    private final boolean syntheticSample;
    private volatile ReaderTimelineSource source;
    private volatile Model.Summary summary;
    private volatile boolean live;
    /** The recording's meta says it is still going, but no recorder holds the file: it died. */
    private volatile boolean died;
    private volatile Model.TracerCost cost;
    private volatile java.util.List<Model.Process> processes;
    /** When this app saw the recording end (null if it never saw it live). */
    private volatile java.time.LocalTime endedAt;
    private dev.kernscope.storage.FlameQueries flames;

    private TraceDocument(Path path, TraceReader lanes, boolean syntheticSample) {
        this.path = path;
        this.lanes = lanes;
        this.syntheticSample = syntheticSample;
    }

    /** Opens and validates {@code path}; a file that is not a trace fails with a one-sentence message. */
    public static TraceDocument open(Path path, boolean syntheticSample) throws IOException {
        TraceReader lanes = TraceReader.open(path);
        try {
            TraceDocument d = new TraceDocument(path, lanes, syntheticSample);
            d.readLiveness();
            d.summary = lanes.summary();
            d.losses = lanes.losses();
            d.source = ReaderTimelineSource.open(lanes);
            d.processes = lanes.processes();
            d.cost = lanes.latestTracerCost();
            return d;
        } catch (Throwable e) { // errors too: a damaged trace can run a query out of memory
            lanes.close();
            throw e;
        }
    }

    /**
     * Re-reads bounds, liveness and the recorder's cost; returns true when the trace grew or ended. The row
     * counts are only re-read when {@code counts} (they cost a scan per table).
     */
    public boolean refreshLive(boolean counts, boolean threads) throws IOException {
        ReaderTimelineSource old = source;
        boolean wasLive = live;
        readLiveness();
        long[] b = lanes.bounds();
        cost = lanes.latestTracerCost();
        boolean noCpus = old.cpus().isEmpty();
        boolean changed = b[0] != old.traceStart() || b[1] != old.traceEnd() || live != wasLive || noCpus;
        if (changed || threads) {
            boolean reread = threads || !live || noCpus;
            source = old.refreshed(b, reread);
            if (reread) processes = lanes.processes();
        }
        if (wasLive && !live) endedAt = java.time.LocalTime.now().withNano(0);
        changed |= source.cpus().size() != old.cpus().size();
        if (counts || !live || noCpus) {
            summary = lanes.summary();
            losses = lanes.losses();
        }
        return changed;
    }

    /**
     * Live while the meta says "recording" and a recorder holds the file's {@link dev.kernscope.storage.RecorderLock};
     * "recording" without the lock is a recorder that died before it could finish the file.
     */
    private void readLiveness() throws IOException {
        boolean recording = lanes.isLive();
        boolean held = recording && dev.kernscope.storage.RecorderLock.isHeld(path);
        live = recording && held;
        boolean wasDead = died;
        died = recording && !held;
        if (died && !wasDead) diedAt = Math.max(0, lanes.lastCommittedTs() - lanes.bounds()[0]);
    }

    /** For a recording whose recorder died: its last committed event, in ns from the start. */
    private volatile long diedAt;

    /**
     * How the recording ended, in words, or null while it goes on: "the set duration ended", "stopped",
     * "the recorder failed: …", "the recorder died without finishing the file".
     */
    public String endWords() {
        if (live) return null;
        if (died) {
            return "recording ended unexpectedly at " + dev.kernscope.app.cli.Format.duration(diedAt)
                    + ": the recorder died without finishing the file (what it had written is shown; "
                    + "kernscope recover finishes it)";
        }
        String r = summary.endReason();
        if (r == null) return "unknown";
        return switch (r) {
            case "duration" -> "the set duration ended";
            case "stopped", "signal" -> "stopped";
            case "done" -> "finished";
            case "killed" -> "the recorder died; kernscope recover finished the file";
            default -> r.startsWith("error") ? "the recorder failed (" + r.substring(5).replaceFirst("^:\\s*", "") + ")" : r;
        };
    }

    /** The processes of the trace as of the last refresh. */
    public java.util.List<Model.Process> processes() { return processes; }

    /** When this app saw the recording end, or null (never seen live, or still live). */
    public java.time.LocalTime endedAt() { return endedAt; }

    /** True when the file says "recording" but its recorder is gone. */
    public boolean recorderDied() { return died; }

    /** The flame queries of this trace (one instance per reader: it caches the stack table). */
    public synchronized dev.kernscope.storage.FlameQueries flames() throws IOException {
        if (flames == null) flames = new dev.kernscope.storage.FlameQueries(reader());
        return flames;
    }

    public Path path() { return path; }
    /** The panels' and exports' reader (opened, and validated again, on first use: call it off the FX thread). */
    public synchronized TraceReader reader() throws IOException {
        if (closed) throw new IOException(path.getFileName() + " is closed");
        if (reader == null) reader = TraceReader.open(path);
        return reader;
    }
    public ReaderTimelineSource source() { return source; }
    public Model.Summary summary() { return summary; }

    /** What the recorder lost, by cause and CPU, against what was offered (as of the last summary). */
    public Model.Losses losses() { return losses; }

    private volatile Model.Losses losses;
    public boolean isLive() { return live; }
    public Model.TracerCost tracerCost() { return cost; }

    /** True for generated data: the bundled fallback sample or any file {@code kernscope gen} wrote. */
    public boolean isSynthetic() { return syntheticSample || summary.synthetic(); }

    public boolean isSyntheticSample() { return syntheticSample; }

    /** Tab title: the file name, marked when synthetic or still recording. */
    public String title() {
        String name = String.valueOf(path.getFileName());
        if (syntheticSample) return "SYNTHETIC sample";
        return (live ? "● " : "") + name + (isSynthetic() ? " (SYNTHETIC)" : "") + (died ? " (unfinished)" : "");
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

    /** Stops the panel query in flight (a cancelled panel load); the timeline's reads go on. */
    public void interruptPanelQueries() {
        TraceReader r;
        synchronized (this) { r = reader; }
        if (r != null) r.interrupt();
    }

    @Override
    public void close() throws IOException {
        TraceReader r;
        synchronized (this) {
            closed = true;
            r = reader;
        }
        try {
            if (r != null) r.close();
        } finally {
            lanes.close();
        }
    }
}
