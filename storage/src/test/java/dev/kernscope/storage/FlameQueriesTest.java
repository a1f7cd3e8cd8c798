package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diff tests (Perfetto style): the fixture trace, a flame query, and the expected CSV beside the test in
 * {@code src/test/resources/dev/kernscope/storage/flame/}. Run with {@code -Dkernscope.updateGoldens=true}
 * to rewrite the expected files after an intended change, then review the diff.
 */
class FlameQueriesTest {
    @TempDir
    static Path dir;
    static TraceReader reader;
    static FlameQueries flame;

    @BeforeAll
    static void open() throws IOException {
        reader = TraceReader.open(FlameFixture.write(dir.resolve("flame.ktrace")));
        flame = new FlameQueries(reader);
    }

    @AfterAll
    static void close() throws IOException {
        reader.close();
    }

    @Test
    void onCpuWindow() throws IOException {
        assertGolden("on_0_100.csv", flame.tree(Filter.of(0, 100, Mode.ON)));
    }

    @Test
    void offCpu() throws IOException {
        assertGolden("off_all.csv", flame.tree(Filter.of(0, 1000, Mode.OFF)));
    }

    @Test
    void wallOfOneProcess() throws IOException {
        assertGolden("wall_pid100.csv", flame.tree(Filter.of(0, 1000, Mode.WALL).withPid(100)));
    }

    @Test
    void invertedOnCpu() throws IOException {
        assertGolden("on_0_100_inverted.csv", flame.inverted(Filter.of(0, 100, Mode.ON)));
    }

    @Test
    void filtersByThreadCpuAndName() throws IOException {
        Filter all = Filter.of(0, 1000, Mode.WALL);
        assertThat(flame.tree(all).total(0)).isEqualTo(9 * FlameFixture.MS + 7_500_700);
        assertThat(flame.tree(all.withTid(101)).total(0)).isEqualTo(2 * FlameFixture.MS + 2_500_000);
        assertThat(flame.tree(all.withComm("worker")).total(0)).isEqualTo(2 * FlameFixture.MS + 2_500_000);
        assertThat(flame.tree(all.withComm("server")).total(0)).as("process name matches all its threads")
                .isEqualTo(6 * FlameFixture.MS + 7_500_000);
        assertThat(flame.tree(all.withCpu(1)).totalSamples(0)).isEqualTo(6);
        assertThat(flame.tree(all.withPid(200).withCpu(0)).totalSamples(0)).isEqualTo(1);
        FlameTree none = flame.tree(all.withPid(999));
        assertThat(none.size()).isEqualTo(1);
        assertThat(none.total(0)).isZero();
    }

    @Test
    void demangledFramesCarryTheirLinkerName() throws IOException {
        FlameTree t = flame.tree(Filter.of(0, 1000, Mode.WALL));
        for (int f = 0; f < t.frameCount(); f++) {
            // frames 3 and 12 are one canonical frame "parse"; the mangled name of frame 3 comes with it
            String want = t.frameName(f).equals("parse") ? "_Z5parsev" : null;
            assertThat(t.frameMangled(f)).as(t.frameName(f)).isEqualTo(want);
        }
    }

    @Test
    void treeInvariantsHold() throws IOException {
        for (FlameTree t : new FlameTree[] {flame.tree(Filter.of(0, 1000, Mode.WALL)),
                flame.inverted(Filter.of(0, 1000, Mode.WALL))}) {
            long leaves = 0;
            for (int n = 0; n < t.size(); n++) {
                long sum = t.self(n);
                for (int c = t.firstChild(n); c >= 0; c = t.nextSibling(c)) {
                    assertThat(t.parent(c)).isEqualTo(n);
                    assertThat(t.depth(c)).isEqualTo(t.depth(n) + 1);
                    sum += t.total(c);
                }
                assertThat(sum).as("total of %s", t.name(n)).isEqualTo(t.total(n));
                leaves += t.self(n);
            }
            assertThat(leaves).isEqualTo(t.total(0));
            assertThat(t.end(0)).isEqualTo(t.size());
        }
    }

    @Test
    void framesWithTheSameNameModuleAndKindMerge() throws IOException {
        FlameTree t = flame.tree(Filter.of(0, 100, Mode.ON).withTid(101));
        int handle = t.firstChild(t.firstChild(0));
        assertThat(t.name(handle)).isEqualTo("handle");
        int parse = -1;
        int count = 0;
        for (int c = t.firstChild(handle); c >= 0; c = t.nextSibling(c), count++) if (t.name(c).equals("parse")) parse = c;
        assertThat(count).isEqualTo(2); // Foo::bar;baz and parse
        assertThat(t.self(parse)).isEqualTo(FlameFixture.MS);
        FlameTree both = flame.tree(Filter.of(0, 100, Mode.ON).withPid(100));
        int merged = -1;
        for (int n = 0; n < both.size(); n++) if (both.name(n).equals("parse")) {
            assertThat(merged).as("one parse node").isEqualTo(-1);
            merged = n;
        }
        assertThat(both.totalSamples(merged)).isEqualTo(3);
    }

    @Test
    void syntheticTraceTreesAgree() throws IOException {
        Path file = dir.resolve("synthetic.ktrace");
        SyntheticTrace.generate(file, SyntheticTrace.Params.defaults(2, 0.5));
        try (TraceReader r = TraceReader.open(file)) {
            FlameQueries q = new FlameQueries(r);
            Filter wall = Filter.of(Long.MIN_VALUE, Long.MAX_VALUE, Mode.WALL);
            FlameTree tree = q.tree(wall);
            FlameTree on = q.tree(Filter.of(Long.MIN_VALUE, Long.MAX_VALUE, Mode.ON));
            FlameTree off = q.tree(Filter.of(Long.MIN_VALUE, Long.MAX_VALUE, Mode.OFF));
            assertThat(on.totalSamples(0)).isPositive();
            assertThat(tree.total(0)).isEqualTo(on.total(0) + off.total(0));
            assertThat(q.inverted(wall).total(0)).isEqualTo(tree.total(0));
            java.io.StringWriter folded = new java.io.StringWriter();
            FoldedStacks.write(tree, folded);
            long sum = 0;
            for (FoldedStacks.Line l : FoldedStacks.parse(new java.io.StringReader(folded.toString()))) {
                assertThat(l.frames().get(0)).isEqualTo("_start");
                sum += l.weight();
            }
            assertThat(sum).isEqualTo(tree.total(0));
        }
    }

    static void assertGolden(String name, FlameTree tree) throws IOException {
        StringBuilder sb = new StringBuilder();
        tree.writeCsv(sb);
        assertGoldenText(name, sb.toString());
    }

    static void assertGoldenText(String name, String actual) throws IOException {
        if (Boolean.getBoolean("kernscope.updateGoldens")) {
            Path src = Path.of("src/test/resources/dev/kernscope/storage/flame").resolve(name);
            Files.createDirectories(src.getParent());
            Files.writeString(src, actual);
            return;
        }
        String expected;
        try (InputStream in = FlameQueriesTest.class.getResourceAsStream("flame/" + name)) {
            assertThat(in).as("expected file flame/%s (run with -Dkernscope.updateGoldens=true)", name).isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(expected);
    }
}
