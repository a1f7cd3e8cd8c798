package dev.kernscope.app.cli;

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

/** {@code kernscope export FILE --csv KIND OUT}: the desktop app's exports, for scripts. */
@Command(name = "export", description = "Export a trace's data: CSV tables (more formats as views land).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "a .ktrace file")
    Path file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--csv", paramLabel = "KIND", description = "table to export: ${COMPLETION-CANDIDATES}")
        CsvExport.Kind csv;
    }

    @Parameters(index = "1", paramLabel = "OUT", description = "output file")
    Path out;

    @Option(names = "--from", paramLabel = "T", description = "window start: ns since trace start, or with a unit (12ms, 1.5s)")
    String from;
    @Option(names = "--to", paramLabel = "T", description = "window end, same form as --from")
    String to;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (TraceReader r = TraceReader.open(file)) {
            long[] b = r.bounds();
            long lo = from == null ? b[0] : b[0] + Format.parseTime(from);
            long hi = to == null ? b[1] + 1 : b[0] + Format.parseTime(to);
            long rows;
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                rows = CsvExport.write(r, what.csv, lo, hi, w);
            }
            PrintWriter pw = spec.commandLine().getOut();
            pw.printf("wrote %s: %s %s rows%n", out, Format.count(rows), what.csv);
            pw.flush();
        }
        return 0;
    }
}
