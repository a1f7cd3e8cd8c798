package dev.kernscope.views.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kernscope.views.fixtures.Fixtures;
import dev.kernscope.views.flame.FlameLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link CallTree#of}: a tree aggregated elsewhere becomes the tree the builder makes from the same stacks. */
class CallTreeOfTest {
    static void assertSameTree(CallTree a, CallTree b) {
        assertThat(b.size()).isEqualTo(a.size());
        assertThat(b.maxDepth()).isEqualTo(a.maxDepth());
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.frame(i)).as("frame of %d", i).isEqualTo(a.frame(i));
            assertThat(b.parent(i)).as("parent of %d", i).isEqualTo(a.parent(i));
            assertThat(b.depth(i)).isEqualTo(a.depth(i));
            assertThat(b.self(i)).isEqualTo(a.self(i));
            assertThat(b.total(i)).isEqualTo(a.total(i));
            assertThat(b.childCount(i)).isEqualTo(a.childCount(i));
            if (a.childCount(i) > 0) assertThat(b.child(i, 0)).isEqualTo(a.child(i, 0));
        }
    }

    @Test
    void sampleCountsFollowTheirNodesThroughTheRenumbering() {
        FrameTable ft = new FrameTable();
        int a = ft.intern("a", FrameKind.USER), bb = ft.intern("b", FrameKind.USER), c = ft.intern("c", FrameKind.USER);
        // root → a (light) and root → b (heavy), given light first: the tree puts b first
        CallTree t = CallTree.of(ft, false, new int[]{-1, 0, 0, 2}, new int[]{-1, a, bb, c},
                new long[]{0, 10, 0, 90}, new long[]{100, 10, 90, 90}, new long[]{4, 1, 3, 3});
        assertThat(t.name(1)).isEqualTo("b");
        assertThat(t.samples(1)).isEqualTo(3);
        assertThat(t.samples(2)).isEqualTo(1);
        assertThat(t.samples(CallTree.ROOT)).isEqualTo(4);
        assertThat(CallTree.of(ft, false, new int[]{-1, 0}, new int[]{-1, a}, new long[]{0, 1}, new long[]{1, 1}).samples(1))
                .as("unknown without counts").isEqualTo(-1);
    }

    @Test
    void preOrderArraysGiveTheBuildersTreeAndLayout() {
        CallTreeBuilder b = Fixtures.deepStacks(50_000, 2_000, 11);
        CallTree built = b.build();
        Fixtures.PreOrder pre = Fixtures.preOrder(built);
        CallTree given = CallTree.of(b.frames(), false, pre.parent(), pre.frame(), pre.self(), pre.total());
        assertSameTree(built, given);
        FlameLayout l1 = FlameLayout.compute(built, CallTree.ROOT, 1280, "tcp_");
        FlameLayout l2 = FlameLayout.compute(given, CallTree.ROOT, 1280, "tcp_");
        assertThat(l2.size).isEqualTo(l1.size);
        for (int i = 0; i < l1.size; i++) {
            assertThat(l2.node[i]).isEqualTo(l1.node[i]);
            assertThat(l2.x[i]).isEqualTo(l1.x[i]);
            assertThat(l2.w[i]).isEqualTo(l1.w[i]);
            assertThat(l2.merged[i]).isEqualTo(l1.merged[i]);
        }
        assertThat(l2.matchShare).isEqualTo(l1.matchShare);
    }

    @Test
    void anyNodeOrderWorksAndTheInvertedFlagIsKept() {
        CallTreeBuilder b = Fixtures.smallStacks();
        CallTree inv = b.buildInverted();
        int n = inv.size();
        int[] perm = new int[n]; // node i of the tree goes to index perm[i]
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(3);
        for (int i = n - 1; i > 0; i--) { int j = r.nextInt(i + 1); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
        int[] parent = new int[n], frame = new int[n];
        long[] self = new long[n], total = new long[n];
        for (int i = 0; i < n; i++) {
            parent[perm[i]] = inv.parent(i) < 0 ? -1 : perm[inv.parent(i)];
            frame[perm[i]] = inv.frame(i);
            self[perm[i]] = inv.self(i);
            total[perm[i]] = inv.total(i);
        }
        CallTree given = CallTree.of(b.frames(), true, parent, frame, self, total);
        assertThat(given.inverted()).isTrue();
        assertSameTree(inv, given);
        assertThat(given.name(given.child(CallTree.ROOT, 0))).isEqualTo("hash_block");
    }

    @Test
    void inconsistentInputIsRejected() {
        FrameTable ft = new FrameTable();
        int a = ft.intern("a", FrameKind.USER), bb = ft.intern("b", FrameKind.USER);
        long[] self = {0, 5, 3};
        // root 8 = a 8 (self 5) + b 3
        assertThat(CallTree.of(ft, false, new int[]{-1, 0, 1}, new int[]{-1, a, bb}, self, new long[]{8, 8, 3}).size()).isEqualTo(3);
        assertThatThrownBy(() -> CallTree.of(ft, false, new int[]{-1, 0, 1}, new int[]{-1, a, bb}, self, new long[]{8, 9, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node 0: total 8 != self 0 + children 9");
        assertThatThrownBy(() -> CallTree.of(ft, false, new int[]{-1, -1, 1}, new int[]{-1, a, bb}, self, new long[]{8, 8, 3}))
                .hasMessageContaining("two roots");
        assertThatThrownBy(() -> CallTree.of(ft, false, new int[]{-1, 2, 1}, new int[]{-1, a, bb}, new long[]{0, 0, 0}, new long[]{0, 0, 0}))
                .hasMessageContaining("cycle");
        assertThatThrownBy(() -> CallTree.of(ft, false, new int[]{-1, 0, 1}, new int[]{-1, a, 7}, self, new long[]{8, 8, 3}))
                .hasMessageContaining("frame id 7");
        assertThatThrownBy(() -> CallTree.of(ft, false, new int[]{-1, 0}, new int[]{-1, a, bb}, self, new long[]{8, 8, 3}))
                .hasMessageContaining("one length");
    }
}
