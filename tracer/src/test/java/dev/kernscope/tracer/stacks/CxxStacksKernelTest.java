package dev.kernscope.tracer.stacks;

import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.FoldedStacks;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.tracer.KernelTestSupport;
import dev.kernscope.tracer.RecordOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kernscope.tracer.KernelTestSupport.assumeBpf;
import static dev.kernscope.tracer.KernelTestSupport.run;
import static dev.kernscope.tracer.stacks.StacksTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A C++ program built -O2 spinning in {@code ns::Worker::spin()} under three C functions: its stacks carry
 * the demangled name, into the folded export. Runs as root only.
 */
class CxxStacksKernelTest {
    private static final String SPIN = "ns::Worker::spin(double)";
    private static final List<String> CHAIN = List.of("main", "qz_level_one", "qz_level_two", "qz_level_three", SPIN);
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() {
        assumeBpf();
        assumeTrue(KernelTestSupport.onPath("g++"), "the workload needs g++");
    }

    static Path compile(String name, String... flags) throws IOException, InterruptedException {
        Path src = dir.resolve("cxxspin.cpp"), bin = dir.resolve(name);
        if (!Files.exists(src)) {
            try (InputStream in = CxxStacksKernelTest.class.getResourceAsStream("cxxspin.cpp")) {
                Files.copy(in, src);
            }
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("g++"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", bin.toString(), src.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("g++ failed: " + out);
        return bin;
    }

    /** Records the program spinning for 1.5 s of CPU time; the thread's on-CPU tree. */
    private static FlameTree spin(Path bin, Path trace, StringWriter folded) throws Exception {
        String[] tid = new String[1];
        record(trace, RecordOptions.defaults().withStacks(StackOptions.defaults().withFreq(199)),
                () -> tid[0] = run(bin.toString(), "1.5").strip());
        try (TraceReader r = TraceReader.open(trace)) {
            Filter f = Filter.of(0, Long.MAX_VALUE, Mode.ON).withTid(Integer.parseInt(tid[0]));
            FoldedStacks.export(r, f, folded);
            return new FlameQueries(r).tree(f);
        }
    }

    /** Weight of the samples whose stack has {@code chain} as consecutive frames (callers first), over all. */
    private static double shareThrough(FlameTree t, List<String> chain) {
        long under = 0;
        for (int n = 1; n < t.size(); n++) {
            if (!t.name(n).equals(chain.get(chain.size() - 1))) continue;
            boolean ok = true;
            int a = t.parent(n);
            for (int k = chain.size() - 2; k >= 0 && ok; k--, a = t.parent(a)) ok = a > 0 && t.name(a).equals(chain.get(k));
            if (ok) under += t.total(n);
        }
        return t.total(0) == 0 ? 0 : (double) under / t.total(0);
    }

    @Test
    void withFramePointersTheWholeChainIsThereDemangled() throws Exception {
        Path bin = compile("cxxspin-fp", "-O2", "-fno-omit-frame-pointer", "-mno-omit-leaf-frame-pointer");
        StringWriter folded = new StringWriter();
        FlameTree t = spin(bin, dir.resolve("fp.ktrace"), folded);
        assertThat(shareThrough(t, CHAIN)).as("share of samples through " + String.join(";", CHAIN)).isGreaterThanOrEqualTo(0.9);
        assertThat(folded.toString()).contains("main;qz_level_one;qz_level_two;qz_level_three;" + SPIN);
        assertThat(folded.toString()).doesNotContain("_ZN2ns6Worker");
    }

    /**
     * Without frame pointers the spinning method is still found, by its readable name; its callers need DWARF
     * unwinding, which the recorder does not do yet (README, "Stacks").
     */
    @Test
    void withoutFramePointersTheHotMethodIsNamedDemangled() throws Exception {
        Path bin = compile("cxxspin-nofp", "-O2", "-fomit-frame-pointer");
        StringWriter folded = new StringWriter();
        FlameTree t = spin(bin, dir.resolve("nofp.ktrace"), folded);
        long inSpin = 0;
        for (int n = 1; n < t.size(); n++) if (t.name(n).equals(SPIN)) inSpin += t.total(n);
        assertThat(inSpin).isGreaterThan(t.total(0) * 8 / 10);
        assertThat(folded.toString()).contains(SPIN).doesNotContain("_ZN2ns6Worker");
    }
}
