package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folded export of the fixture: the expected text file, and a round trip against the fixture's own samples. */
class FoldedStacksTest {
    @TempDir
    Path dir;

    @Test
    void exportMatchesExpectedFile() throws IOException {
        try (TraceReader r = TraceReader.open(FlameFixture.write(dir.resolve("f.ktrace")))) {
            StringWriter out = new StringWriter();
            FoldedStacks.export(r, Filter.of(0, 1000, Mode.WALL), out);
            FlameQueriesTest.assertGoldenText("wall_all.folded", out.toString());
        }
    }

    @Test
    void roundTripGivesTheFixturesMultiset() throws IOException {
        try (TraceReader r = TraceReader.open(FlameFixture.write(dir.resolve("f.ktrace")))) {
            for (Mode mode : Mode.values()) {
                StringWriter out = new StringWriter();
                FoldedStacks.write(new FlameQueries(r).tree(Filter.of(0, 1000, mode)), out);
                Map<String, Long> parsed = new TreeMap<>();
                for (FoldedStacks.Line l : FoldedStacks.parse(new StringReader(out.toString()))) {
                    parsed.merge(String.join(";", l.frames()), l.weight(), Long::sum);
                }
                assertThat(parsed).as(mode.name()).isEqualTo(expected(mode));
            }
        }
    }

    /** The folded multiset computed straight from the fixture's definitions, not through FlameQueries. */
    private static Map<String, Long> expected(Mode mode) {
        Map<String, Long> m = new TreeMap<>();
        for (FlameFixture.Sample s : FlameFixture.SAMPLES) {
            if (mode == Mode.ON && s.kind() != 0 || mode == Mode.OFF && s.kind() != 1) continue;
            List<String> frames = new ArrayList<>();
            if (s.stack() == 0) frames.add(FlameQueries.NO_STACK);
            for (long id = s.stack(); id != 0; id = FlameFixture.STACKS.get(id)[0]) {
                Object[] f = FlameFixture.FRAMES.get(FlameFixture.STACKS.get(id)[1]);
                frames.add(0, FoldedStacks.frame((String) f[0], (Integer) f[2]));
            }
            m.merge(String.join(";", frames), s.weight(), Long::sum);
        }
        return m;
    }

    @Test
    void parseKeepsSpacesInNamesAndRejectsLinesWithoutWeight() throws IOException {
        List<FoldedStacks.Line> lines = FoldedStacks.parse(new StringReader("a;b c;d_[k] 12\n\nx 3\n"));
        assertThat(lines).containsExactly(new FoldedStacks.Line(List.of("a", "b c", "d_[k]"), 12),
                new FoldedStacks.Line(List.of("x"), 3));
        assertThatThrownBy(() -> FoldedStacks.parse(new StringReader("a;b\n"))).hasMessageContaining("line 1");
        assertThat(FoldedStacks.frame("A::b;c\n", TraceWriter.FRAME_JIT)).isEqualTo("A::b:c _[j]");
    }
}
