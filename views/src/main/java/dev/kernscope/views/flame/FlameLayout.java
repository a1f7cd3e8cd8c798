package dev.kernscope.views.flame;

import dev.kernscope.views.model.CallTree;

/**
 * Frame rectangles for one tree, zoom root and width: x and width in pixels, row = depth. Ancestors of the zoom
 * root span the full width. Sibling frames narrower than {@link #MIN_PX} are merged into one "+N" rectangle
 * whose width is the sum of theirs, so no weight is dropped. Also holds the search result. Pure computation,
 * run off the FX thread; immutable once returned.
 */
public final class FlameLayout {
    public static final double MIN_PX = 1.0;

    public final CallTree tree;
    public final int zoom;
    public final double width;
    public int size;
    /** Node per rect, or the parent node for a merged rect. */
    public int[] node;
    public int[] row;
    public double[] x;
    public double[] w;
    /** 0 for a real frame, else the number of frames merged into this rect. */
    public int[] merged;
    /** Per rect: its frame matches the search. */
    public boolean[] match;
    /** Weight of matching frames (nested matches counted once) over the root total; NaN without a search. */
    public double matchShare = Double.NaN;
    public int matchCount;

    private FlameLayout(CallTree tree, int zoom, double width) {
        this.tree = tree;
        this.zoom = zoom;
        this.width = width;
        int cap = 256;
        node = new int[cap]; row = new int[cap]; x = new double[cap]; w = new double[cap]; merged = new int[cap];
    }

    public static FlameLayout compute(CallTree tree, int zoom, double width, String search) {
        FlameLayout l = new FlameLayout(tree, zoom, width);
        for (int a = tree.parent(zoom); a >= 0; a = tree.parent(a)) l.add(a, tree.depth(a), 0, width, 0);
        l.add(zoom, tree.depth(zoom), 0, width, 0);
        if (tree.total(zoom) > 0) l.children(zoom, 0, width / tree.total(zoom));
        l.search(search);
        return l;
    }

    private void children(int n, double x0, double scale) {
        double cx = x0, mergedW = 0;
        int mergedN = 0;
        int r = tree.depth(n) + 1;
        for (int i = 0; i < tree.childCount(n); i++) {
            int c = tree.child(n, i);
            double cw = tree.total(c) * scale;
            if (cw >= MIN_PX) {
                add(c, r, cx, cw, 0);
                children(c, cx, scale);
            } else {
                mergedW += cw;
                mergedN++;
            }
            cx += cw;
        }
        // children are heaviest first, so the merged ones sit together at the right end
        if (mergedN > 0) add(n, r, cx - mergedW, mergedW, mergedN);
    }

    private void add(int n, int r, double rx, double rw, int m) {
        if (size == node.length) {
            int c = size * 2;
            node = java.util.Arrays.copyOf(node, c); row = java.util.Arrays.copyOf(row, c);
            x = java.util.Arrays.copyOf(x, c); w = java.util.Arrays.copyOf(w, c);
            merged = java.util.Arrays.copyOf(merged, c);
        }
        node[size] = n; row[size] = r; x[size] = rx; w[size] = rw; merged[size] = m;
        size++;
    }

    private void search(String q) {
        match = new boolean[size];
        if (q == null || q.isBlank()) return;
        String needle = q.toLowerCase(java.util.Locale.ROOT);
        int frames = tree.frames().size();
        boolean[] frameMatch = new boolean[frames];
        for (int f = 0; f < frames; f++) {
            String alias = tree.frames().alias(f);
            frameMatch[f] = tree.frames().name(f).toLowerCase(java.util.Locale.ROOT).contains(needle)
                    || (alias != null && alias.toLowerCase(java.util.Locale.ROOT).contains(needle));
        }
        // nodes are numbered parents-first, so one forward pass knows whether an ancestor already matched
        boolean[] covered = new boolean[tree.size()];
        long sum = 0;
        for (int n = 1; n < tree.size(); n++) {
            boolean m = frameMatch[tree.frame(n)];
            boolean above = covered[tree.parent(n)];
            if (m) matchCount++;
            if (m && !above) sum += tree.total(n);
            covered[n] = m || above;
        }
        matchShare = tree.total(CallTree.ROOT) == 0 ? 0 : (double) sum / tree.total(CallTree.ROOT);
        for (int i = 0; i < size; i++) match[i] = merged[i] == 0 && node[i] != CallTree.ROOT && frameMatch[tree.frame(node[i])];
    }

    /** Index of the rect at pixel x in row r, or -1. */
    public int rectAt(double px, int r) {
        for (int i = 0; i < size; i++) {
            if (row[i] == r && px >= x[i] && px < x[i] + Math.max(MIN_PX, w[i])) return i;
        }
        return -1;
    }

    /** Deepest row laid out. */
    public int maxRow() {
        int m = 0;
        for (int i = 0; i < size; i++) m = Math.max(m, row[i]);
        return m;
    }
}
