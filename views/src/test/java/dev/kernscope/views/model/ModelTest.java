package dev.kernscope.views.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kernscope.views.draw.TimeFormat;
import dev.kernscope.views.fixtures.Fixtures;
import dev.kernscope.views.flame.FlameLayout;
import org.junit.jupiter.api.Test;

class ModelTest {
    @Test
    void fullResolutionReturnsTheRawSlices() {
        InMemoryTimelineSource s = InMemoryTimelineSource.builder().cpu(0, 0)
                .slice(0, 100, 50, 1, ThreadState.SLEEPING, -1)
                .slice(0, 200, 10, 2, ThreadState.RUNNABLE, 5)
                .slice(0, 300, 30, 1, ThreadState.SLEEPING, -1).build();
        SliceBlock b = s.slices(0, 0, 1000, 1);
        assertThat(b.size).isEqualTo(3);
        assertThat(b.ts).startsWith(100, 200, 300);
        assertThat(b.latency[1]).isEqualTo(5);
        assertThat(s.slices(0, 205, 305, 1).size).isEqualTo(2); // overlap, not containment
    }

    @Test
    void coarseQueriesAreBoundedByPixelsAndKeepEveryRawSliceCounted() {
        InMemoryTimelineSource s = Fixtures.timeline(4, 2, 100, 2_000_000_000L, 9);
        SliceBlock raw = s.slices(1, 0, 2_000_000_000L, 1);
        long npp = 2_000_000_000L / 1000;
        SliceBlock coarse = s.slices(1, 0, 2_000_000_000L, npp);
        assertThat(raw.size).isGreaterThan(2000);
        assertThat(coarse.size).isLessThanOrEqualTo(2 * 1000 + 10);
        long merged = 0;
        for (int i = 0; i < coarse.size; i++) merged += coarse.merged[i];
        assertThat(merged).isEqualTo(raw.size);
        for (int i = 1; i < coarse.size; i++) assertThat(coarse.ts[i]).isGreaterThanOrEqualTo(coarse.ts[i - 1] + coarse.dur[i - 1]);
    }

    @Test
    void callTreeAggregatesAndSortsHeaviestFirst() {
        CallTree t = Fixtures.smallStacks().build();
        assertThat(t.total(CallTree.ROOT)).isEqualTo(100);
        int main = t.child(CallTree.ROOT, 0);
        assertThat(t.name(main)).isEqualTo("main");
        assertThat(t.childCount(main)).isEqualTo(3);
        assertThat(t.name(t.child(main, 0))).isEqualTo("compute");
        assertThat(t.total(t.child(main, 0))).isEqualTo(60);
        assertThat(t.self(t.child(main, 0))).isEqualTo(20);
        assertThat(t.name(t.child(main, 2))).isEqualTo("idle_loop");
    }

    @Test
    void invertedTreeStartsAtLeavesWithTheSameTotal() {
        CallTree inv = Fixtures.smallStacks().buildInverted();
        assertThat(inv.inverted()).isTrue();
        assertThat(inv.total(CallTree.ROOT)).isEqualTo(100);
        int first = inv.child(CallTree.ROOT, 0);
        assertThat(inv.name(first)).isEqualTo("hash_block");
        assertThat(inv.total(first)).isEqualTo(40);
        assertThat(inv.name(inv.child(first, 0))).isEqualTo("compute");
        java.util.Set<String> leaves = new java.util.HashSet<>();
        for (int i = 0; i < inv.childCount(CallTree.ROOT); i++) leaves.add(inv.name(inv.child(CallTree.ROOT, i)));
        assertThat(leaves).containsExactlyInAnyOrder("hash_block", "vfs_read", "compute", "idle_loop");
    }

    @Test
    void subPixelFramesAreMergedWithoutLosingWeight() {
        FrameTable ft = new FrameTable();
        CallTreeBuilder b = new CallTreeBuilder(ft);
        int big = ft.intern("big", FrameKind.USER);
        b.addStack(new int[]{big}, 500_000);
        for (int i = 0; i < 5000; i++) b.addStack(new int[]{ft.intern("tiny" + i, FrameKind.KERNEL)}, 100);
        CallTree t = b.build();
        FlameLayout l = FlameLayout.compute(t, CallTree.ROOT, 1000, null);
        double rowWidth = 0;
        int mergedRects = 0, mergedFrames = 0, realRects = 0;
        for (int i = 0; i < l.size; i++) {
            if (l.row[i] != 1) continue;
            rowWidth += l.w[i];
            if (l.merged[i] > 0) { mergedRects++; mergedFrames += l.merged[i]; } else realRects++;
        }
        assertThat(realRects).isEqualTo(1);
        assertThat(mergedRects).isEqualTo(1);
        assertThat(mergedFrames).isEqualTo(5000);
        assertThat(rowWidth).isCloseTo(1000, within(1e-6));
        assertThat(t.total(CallTree.ROOT)).isEqualTo(1_000_000);
        assertThat(l.size).isEqualTo(3); // root, big, one merged rect: not one rect per tiny frame
    }

    @Test
    void hottestFrameIsWidest() {
        CallTree t = Fixtures.smallStacks().build();
        FlameLayout l = FlameLayout.compute(t, CallTree.ROOT, 1000, null);
        int widest = -1;
        for (int i = 0; i < l.size; i++) if (l.row[i] == 2 && (widest < 0 || l.w[i] > l.w[widest])) widest = i;
        assertThat(t.name(l.node[widest])).isEqualTo("compute");
        assertThat(l.w[widest]).isCloseTo(600, within(1e-6));
    }

    @Test
    void searchShareCountsNestedMatchesOnce() {
        CallTree t = Fixtures.smallStacks().build();
        assertThat(FlameLayout.compute(t, 0, 1000, "COMPUTE").matchShare).isCloseTo(0.60, within(1e-9));
        FlameLayout read = FlameLayout.compute(t, 0, 1000, "read"); // __x64_sys_read contains vfs_read
        assertThat(read.matchShare).isCloseTo(0.30, within(1e-9));
        assertThat(read.matchCount).isEqualTo(2);
        assertThat(FlameLayout.compute(t, 0, 1000, "").matchShare).isNaN();
    }

    @Test
    void searchMatchesTheMangledNameToo() {
        FrameTable ft = new FrameTable();
        CallTreeBuilder b = new CallTreeBuilder(ft);
        int spin = ft.intern("ns::Worker::spin()", FrameKind.USER);
        ft.alias(spin, "_ZN2ns6Worker4spinEv");
        int main = ft.intern("main", FrameKind.USER);
        b.addStack(new int[]{main, spin}, 75);
        b.addStack(new int[]{main}, 25);
        CallTree t = b.build();
        assertThat(FlameLayout.compute(t, 0, 1000, "Worker::spin").matchShare).isCloseTo(0.75, within(1e-9));
        assertThat(FlameLayout.compute(t, 0, 1000, "_ZN2ns6Worker").matchShare).isCloseTo(0.75, within(1e-9));
        assertThat(FlameLayout.compute(t, 0, 1000, "_ZN2ns6Worker").matchCount).isEqualTo(1);
    }

    @Test
    void niceTickStepsAndLabels() {
        assertThat(TimeFormat.niceStep(1, 90)).isEqualTo(100);
        assertThat(TimeFormat.niceStep(13, 90)).isEqualTo(2000);
        assertThat(TimeFormat.niceStep(40_000, 90)).isEqualTo(5_000_000);
        assertThat(TimeFormat.format(2_000, 2_000)).isEqualTo("2 µs");
        assertThat(TimeFormat.format(1_500_000, 500_000)).isEqualTo("1.5 ms");
        assertThat(TimeFormat.format(3_000_000_000L, 1_000_000_000L)).isEqualTo("3 s");
        assertThat(TimeFormat.format(250, 50)).isEqualTo("250 ns");
    }

    @Test
    void theTimeOriginHasTheDigitsItsTicksNeedAndFitsTheGutter() {
        long t = 12_557_998_431_297L; // the bundled sample's start: 12557.998431297 s after boot
        assertThat(TimeFormat.absolute(t, 100_000_000)).isEqualTo("12557.9 s");
        assertThat(TimeFormat.absolute(t, 2_000)).isEqualTo("12557.998431 s");
        assertThat(TimeFormat.absolute(t, 20)).isEqualTo("12557.99843129 s");
        assertThat(TimeFormat.absolute(t, 1)).isEqualTo(TimeFormat.absolute(t));
        assertThat(TimeFormat.absolute(1_000_000_000L, 50_000_000)).isEqualTo("1.00 s");
        assertThat(TimeFormat.absolute(-1, 1_000_000_000)).isEqualTo("-1.9 s");
    }

    @Test
    void numaLocalRatio() {
        NumaModel m = Fixtures.numa(1_000_000);
        long local = 8_420_113 + 5_037_761, all = local + 1_904_224 + 2_610_950;
        assertThat(m.localRatio()).isCloseTo((double) local / all, within(1e-12));
        // accesses with no known memory node (migrated from an unrecorded node) count as remote
        NumaModel u = new NumaModel(m.nodes(), m.distances(), m.access(), new long[]{1_000_000, 0}, m.series(), m.processes());
        assertThat(u.unplacedTotal()).isEqualTo(1_000_000);
        assertThat(u.localRatio()).isCloseTo((double) local / (all + 1_000_000), within(1e-12));
    }
}
