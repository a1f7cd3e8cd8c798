package dev.kernscope.tracer;

import static dev.kernscope.tracer.KernelTestSupport.assumeBpf;
import static dev.kernscope.tracer.KernelTestSupport.compileC;
import static dev.kernscope.tracer.KernelTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.DiffTree;
import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import dev.kernscope.storage.FoldedStacks;
import dev.kernscope.storage.TraceReader;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Comparing two real recordings of a workload whose answer is known: a function whose work is tripled between two
 * runs has three times the weight in the differential export, the other function the same. Each run is recorded
 * by the record helper in its own JVM, as users record. Runs as root only.
 */
class DiffKernelTest {
    private static final long MS = 1_000_000;
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        assumeBpf();
        java.nio.file.Files.createDirectories(dir.resolve("analysis"));
    }

    @Test
    void aFunctionWithTripledWorkWeighsThreeTimesAsMuchInTheDifferentialExport() throws Exception {
        Path bin = compileC(DiffKernelTest.class, "analysis/twofuncs", dir, "-O0", "-fno-omit-frame-pointer", "-g");
        Path a = dir.resolve("a.ktrace"), b = dir.resolve("b.ktrace");
        record(a, bin, "400", "200");
        record(b, bin, "400", "600");
        DiffTree d;
        try (TraceReader ra = TraceReader.open(a); TraceReader rb = TraceReader.open(b)) {
            Filter f = Filter.of(0, Long.MAX_VALUE, Mode.ON).withComm("twofuncs");
            d = DiffTree.of(new FlameQueries(ra).tree(f), new FlameQueries(rb).tree(f));
        }
        StringWriter folded = new StringWriter();
        FoldedStacks.writeDiff(d, folded);
        long[] workA = new long[2], workB = new long[2], all = new long[2];
        for (String line : folded.toString().split("\n")) {
            String[] f = line.split(" ");
            long wa = Long.parseLong(f[f.length - 2]), wb = Long.parseLong(f[f.length - 1]);
            String stack = line.substring(0, line.length() - f[f.length - 1].length() - f[f.length - 2].length() - 2);
            long[] into = stack.contains(";work_a;") || stack.endsWith(";work_a") ? workA
                    : stack.contains(";work_b;") || stack.endsWith(";work_b") ? workB : null;
            if (into != null) {
                into[0] += wa;
                into[1] += wb;
            }
            all[0] += wa;
            all[1] += wb;
        }
        // 400 ms of work_a in both runs, 200 then 600 ms of work_b. A loaded machine loses or throttles some
        // samples of a whole run, so each run is also judged against its own unchanged function: work_b's change
        // over work_a's is the tripling, within sampling error.
        String nums = "work_a " + workA[0] + " -> " + workA[1] + ", work_b " + workB[0] + " -> " + workB[1]
                + ", all " + all[0] + " -> " + all[1];
        assertThat(workA[0]).as(nums).isBetween(280 * MS, 480 * MS);
        assertThat(workB[0]).as(nums).isBetween(140 * MS, 240 * MS);
        double aChange = (double) workA[1] / workA[0], bChange = (double) workB[1] / workB[0];
        assertThat(aChange).as(nums).isBetween(0.6, 1.4);
        assertThat(bChange / aChange).as(nums).isBetween(2.4, 3.75);
        assertThat(workA[0] + workB[0]).isGreaterThan(all[0] * 8 / 10);
    }

    /** Records {@code workload ARGS} with 999 Hz stacks by the record helper in a JVM of its own. */
    private static void record(Path trace, Path workload, String... args) throws Exception {
        String jvm = ProcessHandle.current().info().command().orElseThrow();
        Process rec = new ProcessBuilder(jvm, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.kernscope.tracer.RecordHelperMain", "-o", trace.toAbsolutePath().toString(), "--freq", "999",
                "--stop-on-stdin-eof", "--force", "-d", "60").redirectErrorStream(true)
                .redirectOutput(dir.resolve(trace.getFileName() + ".log").toFile()).start();
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!java.nio.file.Files.exists(trace) && System.nanoTime() < deadline && rec.isAlive()) Thread.sleep(50);
            assertThat(java.nio.file.Files.exists(trace)).as("the recorder started").isTrue();
            Thread.sleep(1000); // attached, /proc scanned
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(workload.toString()));
            cmd.addAll(java.util.List.of(args));
            run(cmd.toArray(String[]::new));
            Thread.sleep(200);
        } finally {
            rec.getOutputStream().close(); // stop as on Ctrl-C
            if (!rec.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) rec.destroyForcibly();
        }
        assertThat(rec.exitValue()).as(java.nio.file.Files.readString(dir.resolve(trace.getFileName() + ".log"))).isZero();
    }
}
