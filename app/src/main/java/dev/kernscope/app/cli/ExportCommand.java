package dev.kernscope.app.cli;

import dev.kernscope.storage.CriticalPath;
import dev.kernscope.storage.DiffTree;
import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FoldedStacks;
import dev.kernscope.storage.TraceReader;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kernscope export FILE (--csv KIND OUT | --png OUT --view V | --folded OUT)}: the desktop app's exports,
 * for scripts; PNG rendering needs no display.
 */
@Command(name = "export", description = "Export a trace: CSV tables, a PNG of a view (no display needed), folded stacks.")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "a .ktrace file")
    Path file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--csv", paramLabel = "KIND", converter = KindConverter.class,
                completionCandidates = KindCandidates.class, description = "table to export to OUT: ${COMPLETION-CANDIDATES}")
        CsvExport.Kind csv;
        @Option(names = "--png", paramLabel = "OUT", description = "render a view (--view) to this PNG file")
        Path png;
        @Option(names = "--folded", paramLabel = "OUT", description = "folded stacks for FlameGraph / speedscope")
        Path folded;
    }

    @Parameters(index = "1", arity = "0..1", paramLabel = "OUT", description = "output file of --csv")
    Path out;

    @Option(names = "--view", paramLabel = "VIEW", defaultValue = "timeline",
            description = "view for --png: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    HeadlessRender.View view;
    @Option(names = "--width", defaultValue = "1600", description = "PNG width in pixels (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--height", defaultValue = "900", description = "PNG height in pixels (default ${DEFAULT-VALUE})")
    int height;
    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "on", description = "folded stacks: on, off or wall (default ${DEFAULT-VALUE})")
    String mode;
    @Option(names = "--pid", paramLabel = "PID", description = "folded stacks of one process only")
    Integer pid;
    @Option(names = "--comm", paramLabel = "NAME", description = "folded stacks of the threads or processes of this name only")
    String comm;
    @Option(names = "--baseline", paramLabel = "A.ktrace",
            description = "--folded: compare with this trace, writing 'stack weightA weightB' (difffolded format); "
                    + "--from/--to apply to each trace from its own start")
    Path baseline;
    @Option(names = "--critical-path", description = "--folded: the stacks along the critical path of --thread "
            + "(on-CPU samples where it ran, off-CPU blocks where it waited)")
    boolean criticalPath;
    @Option(names = "--thread", paramLabel = "NAME|TID",
            description = "thread-states, critical-path, critical-path-threads: the thread (a tid, or a name)")
    String thread;

    @Option(names = "--from", paramLabel = "T", description = "window start: ns since trace start, or with a unit (12ms, 1.5s)")
    String from;
    @Option(names = "--to", paramLabel = "T", description = "window end, same form as --from")
    String to;

    @Spec
    CommandSpec spec;

    /** The baseline's tree over the same relative window and filter, merged with this trace's. */
    private DiffTree baselineDiff(TraceReader r, long[] bounds, FlameQueries.Filter f) throws java.io.IOException {
        try (TraceReader a = TraceReader.open(baseline)) {
            long[] ab = a.bounds();
            long shift = ab[0] - bounds[0];
            long aTo = f.to() == bounds[1] + 1 ? ab[1] + 1 : f.to() + shift;
            FlameQueries.Filter fa = new FlameQueries.Filter(f.from() + shift, aTo, f.mode(), f.pid(), f.tid(), f.cpu(), f.comm());
            // two readers: the baseline's tree builds on another thread while this trace's builds here
            java.util.concurrent.CompletableFuture<dev.kernscope.storage.FlameTree> ta =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return new FlameQueries(a).tree(fa);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            dev.kernscope.storage.FlameTree tb = new FlameQueries(r).tree(f);
            try {
                return DiffTree.of(ta.join(), tb);
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException u) throw u.getCause();
                throw e;
            }
        }
    }

    /** {@code --csv} takes the hyphenated kind names. */
    static final class KindConverter implements picocli.CommandLine.ITypeConverter<CsvExport.Kind> {
        @Override
        public CsvExport.Kind convert(String value) {
            try {
                return CsvExport.Kind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The kind names as the help lists them. */
    static final class KindCandidates extends java.util.ArrayList<String> {
        KindCandidates() {
            for (CsvExport.Kind k : CsvExport.Kind.values()) add(k.toString());
        }
    }

    @Override
    public Integer call() throws Exception {
        try (TraceReader r = TraceReader.open(file)) {
            long[] b = r.bounds();
            long lo = from == null ? b[0] : b[0] + Format.parseTime(from);
            long hi = to == null ? b[1] + 1 : b[0] + Format.parseTime(to);
            if (hi <= lo) throw new IllegalArgumentException("--to must be after --from");
            PrintWriter pw = spec.commandLine().getOut();
            if (baseline != null && what.folded == null) throw new IllegalArgumentException("--baseline goes with --folded");
            if (baseline != null && pid != null) {
                throw new IllegalArgumentException("--pid names a process of one trace only; with --baseline use --comm NAME");
            }
            if (what.folded != null) {
                FlameQueries.Mode m = switch (mode.toLowerCase(java.util.Locale.ROOT)) {
                    case "on" -> FlameQueries.Mode.ON;
                    case "off" -> FlameQueries.Mode.OFF;
                    case "wall" -> FlameQueries.Mode.WALL;
                    default -> throw new IllegalArgumentException("--mode must be on, off or wall");
                };
                FlameQueries.Filter f = FlameQueries.Filter.of(lo, hi, m);
                if (pid != null) f = f.withPid(pid);
                if (comm != null) f = f.withComm(comm);
                if (criticalPath) {
                    if (thread == null || baseline != null) throw new IllegalArgumentException("--critical-path needs --thread NAME|TID (and no --baseline)");
                    int utid = ThreadChoice.utids(r, thread, lo, hi, true)[0];
                    CriticalPath cp = new CriticalPath(r);
                    try (BufferedWriter w = Files.newBufferedWriter(what.folded, StandardCharsets.UTF_8)) {
                        FoldedStacks.write(cp.flame(cp.segments(utid, lo, hi), new FlameQueries(r)), w);
                    }
                    pw.printf("wrote %s: folded stacks along the critical path of %s%n", what.folded, thread);
                    pw.flush();
                    return 0;
                }
                if (baseline != null) {
                    DiffTree d = baselineDiff(r, b, f);
                    try (BufferedWriter w = Files.newBufferedWriter(what.folded, StandardCharsets.UTF_8)) {
                        FoldedStacks.writeDiff(d, w);
                    }
                } else {
                    try (BufferedWriter w = Files.newBufferedWriter(what.folded, StandardCharsets.UTF_8)) {
                        FoldedStacks.export(r, f, w);
                    }
                }
                pw.printf("wrote %s: %sfolded stacks, %s%n", what.folded, baseline == null ? "" : "differential (baseline, this) ",
                        m == FlameQueries.Mode.WALL ? "wall-clock" : mode + "-CPU");
                pw.flush();
                return 0;
            }
            if (what.png != null) {
                if (width < 64 || height < 64 || width > 8192 || height > 8192) {
                    throw new IllegalArgumentException("--width and --height must be between 64 and 8192");
                }
                HeadlessRender.png(r, view, lo, Math.min(hi, b[1]), width, height, what.png);
                pw.printf("wrote %s: %s view, %d x %d%n", what.png, view, width, height);
                pw.flush();
                return 0;
            }
            if (out == null) throw new IllegalArgumentException("--csv needs an output file: export FILE --csv KIND OUT");
            int[] utids = null;
            if (thread != null) {
                if (!what.csv.perThread()) throw new IllegalArgumentException("--thread applies to thread-states and critical-path");
                utids = ThreadChoice.utids(r, thread, lo, hi, what.csv != CsvExport.Kind.thread_states);
            }
            long rows;
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                rows = CsvExport.write(r, what.csv, lo, hi, utids, w);
            }
            pw.printf("wrote %s: %s %s rows%n", out, Format.count(rows), what.csv);
            pw.flush();
        }
        return 0;
    }
}
