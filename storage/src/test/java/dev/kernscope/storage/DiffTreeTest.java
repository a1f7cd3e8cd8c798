package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.FlameQueries.Filter;
import dev.kernscope.storage.FlameQueries.Mode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The differential tree and its two-column folded export, checked against the two single-column exports. */
class DiffTreeTest {
    @TempDir
    Path dir;

    static Map<String, Long> folded(FlameTree t) throws IOException {
        StringWriter out = new StringWriter();
        FoldedStacks.write(t, out);
        Map<String, Long> m = new TreeMap<>();
        for (FoldedStacks.Line l : FoldedStacks.parse(new StringReader(out.toString()))) m.put(String.join(";", l.frames()), l.weight());
        return m;
    }

    @Test
    void twoColumnsAreTheTwoTreesFoldedExports() throws IOException {
        try (TraceReader r = TraceReader.open(FlameFixture.write(dir.resolve("f.ktrace")))) {
            FlameQueries q = new FlameQueries(r);
            for (Mode mode : Mode.values()) {
                FlameTree a = q.tree(Filter.of(0, 4 * FlameFixture.MS, mode)), b = q.tree(Filter.of(4 * FlameFixture.MS, 1000, mode));
                DiffTree d = DiffTree.of(a, b);
                StringWriter out = new StringWriter();
                FoldedStacks.writeDiff(d, out);
                Map<String, Long> wa = new TreeMap<>(), wb = new TreeMap<>();
                for (String line : out.toString().split("\n")) {
                    if (line.isEmpty()) continue;
                    String[] f = line.split(" ");
                    String stack = line.substring(0, line.length() - f[f.length - 1].length() - f[f.length - 2].length() - 2);
                    long x = Long.parseLong(f[f.length - 2]), y = Long.parseLong(f[f.length - 1]);
                    assertThat(x + y).as(line).isPositive();
                    if (x > 0) wa.put(stack, x);
                    if (y > 0) wb.put(stack, y);
                }
                assertThat(wa).as(mode.name()).isEqualTo(folded(a));
                assertThat(wb).as(mode.name()).isEqualTo(folded(b));
                assertThat(d.totalA(0)).isEqualTo(a.total(0));
                assertThat(d.totalB(0)).isEqualTo(b.total(0));
                for (int n = 1; n < d.size(); n++) {
                    assertThat(d.name(n).compareTo(d.name(d.parent(n)))).isNotNull();
                    long kidsA = 0, kidsB = 0;
                    for (int c = n + 1; c < d.end(n); c = d.end(c)) {
                        kidsA += d.totalA(c);
                        kidsB += d.totalB(c);
                    }
                    assertThat(d.totalA(n)).isEqualTo(d.selfA(n) + kidsA);
                    assertThat(d.totalB(n)).isEqualTo(d.selfB(n) + kidsB);
                }
            }
            FlameTree all = q.tree(Filter.of(0, 1000, Mode.WALL));
            DiffTree same = DiffTree.of(all, all);
            assertThat(same.size()).isEqualTo(all.size());
            for (int n = 0; n < same.size(); n++) {
                assertThat(same.totalA(n)).isEqualTo(same.totalB(n)).isEqualTo(all.total(n));
                assertThat(same.name(n)).isEqualTo(all.name(n));
                assertThat(same.delta(n, true)).isZero();
            }
        }
    }
}
