package dev.kernscope.views.model;

/**
 * A merged call tree of a baseline (A) and a comparison (B), ready to draw as a differential flame graph: nodes
 * in pre-order (node 0 the root, a subtree is {@code [n, end[n])}), with each side's total weight (ns). The app
 * copies it from storage's differential tree. Immutable once built.
 */
public record DiffFlameData(int[] depth, int[] end, String[] name, long[] totalA, long[] totalB, String labelA,
                            String labelB) {
    public int size() {
        return depth.length;
    }

    /** One more than the deepest node's depth. */
    public int maxDepthHint() {
        int m = 0;
        for (int x : depth) m = Math.max(m, x);
        return m + 1;
    }

    /** A's weights scale by this to compare as shares of B's whole (1 when A is empty). */
    public double scaleA() {
        return totalA[0] > 0 ? (double) totalB[0] / totalA[0] : 1;
    }

    /** B minus A scaled to B's whole, over the larger of the two: -1 (gone) .. 0 (same share) .. 1 (new). */
    public double change(int n) {
        return change(n, true);
    }

    /** As {@link #change(int)}; unnormalized, A's weight is compared as it is (two windows of equal length). */
    public double change(int n, boolean normalized) {
        double a = totalA[n] * (normalized ? scaleA() : 1), b = totalB[n];
        double m = Math.max(a, b);
        return m <= 0 ? 0 : (b - a) / m;
    }
}
