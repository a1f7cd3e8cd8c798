package dev.kernscope.app.cli;

import dev.kernscope.storage.TraceRecovery;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kernscope recover FILE}: finishes a trace whose recorder died, keeping every committed event. */
@Command(name = "recover", description = "Finish a trace whose recorder died (killed, out of memory, logged out): "
        + "indexes, one self-contained file, end_reason=killed; every committed event is kept.")
public final class RecoverCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "a .ktrace file")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TraceRecovery.Result r = TraceRecovery.recover(file);
        if (r.recovered()) {
            out.printf("recovered %s: the recording ended unexpectedly at %s; finished with end_reason=killed%n", file,
                    Format.duration(r.endTs() - r.startTs()));
        } else {
            out.printf("%s needs no recovery: its recording ended (%s)%n", file, r.endReason());
        }
        out.flush();
        return 0;
    }
}
