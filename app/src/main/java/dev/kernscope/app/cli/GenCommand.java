package dev.kernscope.app.cli;

import dev.kernscope.storage.SyntheticTrace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kernscope gen}: writes a deterministic synthetic trace, for tests, benchmarks and demos. */
@Command(name = "gen", description = "Write a deterministic SYNTHETIC trace (marked as such) through the real writer.")
public final class GenCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "output .ktrace (overwritten)")
    Path out;
    @Option(names = "--cpus", defaultValue = "8", description = "CPUs (default ${DEFAULT-VALUE})")
    int cpus;
    @Option(names = "--nodes", description = "NUMA nodes (default: 2 if cpus >= 4, else 1)")
    Integer nodes;
    @Option(names = "--seconds", defaultValue = "10", description = "duration in seconds (default ${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--rate", defaultValue = "2000", description = "slices per CPU per second (default ${DEFAULT-VALUE})")
    int rate;
    @Option(names = "--processes", description = "processes (default: 2 per CPU, at least 4)")
    Integer processes;
    @Option(names = "--threads", defaultValue = "4", description = "threads per process (default ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--no-stacks", description = "omit stack samples")
    boolean noStacks;
    @Option(names = "--no-numa", description = "omit NUMA counters")
    boolean noNuma;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SyntheticTrace.Params d = SyntheticTrace.Params.defaults(cpus, seconds);
        SyntheticTrace.Params p = new SyntheticTrace.Params(seed, cpus, nodes == null ? d.nodes() : nodes,
                processes == null ? d.processes() : processes, threads, seconds, rate, !noStacks, !noNuma);
        long t0 = System.nanoTime();
        long slices = SyntheticTrace.generate(out, p);
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("wrote %s: %s slices on %d CPUs, %.1f s of synthetic time, in %s%n", out, Format.count(slices),
                cpus, seconds, Format.duration(System.nanoTime() - t0));
        pw.flush();
        return 0;
    }
}
