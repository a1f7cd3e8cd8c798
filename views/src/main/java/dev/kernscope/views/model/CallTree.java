package dev.kernscope.views.model;

import java.util.Arrays;

/**
 * An aggregated call tree in struct-of-arrays form. Node 0 is the synthetic root ("all"); children of a node
 * are the contiguous range {@code childStart[n] .. childStart[n] + childCount[n]}, heaviest first. Weights are
 * longs whose unit depends on the {@link FlameMode}. Built by {@link CallTreeBuilder} from stacks, or by
 * {@link #of} from a tree aggregated elsewhere (e.g. storage's flame query); immutable and safe to read from any
 * thread.
 */
public final class CallTree {
    public static final int ROOT = 0;

    private final FrameTable frames;
    private final boolean inverted;
    private final int size;
    /** Frame id per node ({@code -1} for the root). */
    final int[] frame;
    final int[] parent;
    final int[] depth;
    final long[] self;
    final long[] total;
    final int[] childStart;
    final int[] childCount;
    /** Samples under each node (self and descendants), or null when the tree was built without counts. */
    final long[] samples;
    private final int maxDepth;

    CallTree(FrameTable frames, boolean inverted, int size, int[] frame, int[] parent, int[] depth, long[] self,
             long[] total, int[] childStart, int[] childCount, long[] samples) {
        this.frames = frames;
        this.inverted = inverted;
        this.size = size;
        this.frame = frame;
        this.parent = parent;
        this.depth = depth;
        this.self = self;
        this.total = total;
        this.childStart = childStart;
        this.childCount = childCount;
        this.samples = samples;
        int md = 0;
        for (int i = 0; i < size; i++) md = Math.max(md, depth[i]);
        this.maxDepth = md;
    }

    public FrameTable frames() { return frames; }

    /** True for a bottom-up tree: the root's children are the leaf functions, their children the callers. */
    public boolean inverted() { return inverted; }

    public int size() { return size; }

    public int maxDepth() { return maxDepth; }

    public int frame(int node) { return frame[node]; }

    public int parent(int node) { return parent[node]; }

    public int depth(int node) { return depth[node]; }

    public long self(int node) { return self[node]; }

    public long total(int node) { return total[node]; }

    /** Number of samples in the node's total, or -1 when the tree carries no counts. */
    public long samples(int node) { return samples == null ? -1 : samples[node]; }

    public int childCount(int node) { return childCount[node]; }

    public int child(int node, int i) { return childStart[node] + i; }

    public String name(int node) { return node == ROOT ? "all" : frames.name(frame[node]); }

    public FrameKind kind(int node) { return node == ROOT ? FrameKind.UNKNOWN : frames.kind(frame[node]); }

    /**
     * A tree aggregated elsewhere, given as parallel arrays in any node order (pre-order as storage's
     * {@code FlameTree} keeps it, BFS, or none). The result is the same tree {@link CallTreeBuilder} makes from the
     * same stacks: renumbered breadth-first, siblings heaviest first (equal totals by frame id), so the flame
     * layout is identical. O(n) plus sorting each node's children; the arrays are not kept.
     *
     * @param frames   the table {@code frame} ids refer to
     * @param inverted true for a bottom-up tree (root's children are the innermost frames)
     * @param parent   parent node per node; exactly one node has -1, the root ("all")
     * @param frame    frame id per node, {@code 0 <= id < frames.size()}; ignored for the root
     * @param self     weight of samples ending at the node, {@code >= 0}
     * @param total    {@code self + sum of the children's totals}, checked for every node
     * @throws IllegalArgumentException if the arrays differ in length, there is not exactly one root, a parent or
     *                                  frame id is out of range, a node is unreachable from the root (a cycle), a
     *                                  weight is negative, or a total does not add up
     */
    public static CallTree of(FrameTable frames, boolean inverted, int[] parent, int[] frame, long[] self, long[] total) {
        return of(frames, inverted, parent, frame, self, total, null);
    }

    /**
     * As {@link #of(FrameTable, boolean, int[], int[], long[], long[])}, with the number of samples in each node's
     * total (so a hover can say "51 samples" beside the time they stand for); null when unknown.
     */
    public static CallTree of(FrameTable frames, boolean inverted, int[] parent, int[] frame, long[] self, long[] total,
                              long[] totalSamples) {
        int n = parent.length;
        if (totalSamples != null && totalSamples.length != n) {
            throw new IllegalArgumentException("samples: " + totalSamples.length + " entries for " + n + " nodes");
        }
        if (n == 0 || frame.length != n || self.length != n || total.length != n) {
            throw new IllegalArgumentException("need ≥ 1 node and arrays of one length: parent " + n + ", frame "
                    + frame.length + ", self " + self.length + ", total " + total.length);
        }
        int root = -1;
        int frameCount = frames.size();
        long[] childSum = new long[n];
        for (int i = 0; i < n; i++) {
            int p = parent[i];
            if (p == -1) {
                if (root >= 0) throw new IllegalArgumentException("two roots: nodes " + root + " and " + i);
                root = i;
                continue;
            }
            if (p < 0 || p >= n || p == i) throw new IllegalArgumentException("node " + i + ": parent " + p + " out of range");
            if (frame[i] < 0 || frame[i] >= frameCount) {
                throw new IllegalArgumentException("node " + i + ": frame id " + frame[i] + " not in the frame table (" + frameCount + ")");
            }
            childSum[p] += total[i];
        }
        if (root < 0) throw new IllegalArgumentException("no root (parent -1)");
        for (int i = 0; i < n; i++) {
            if (self[i] < 0) throw new IllegalArgumentException("node " + i + ": negative self " + self[i]);
            if (total[i] != self[i] + childSum[i]) {
                throw new IllegalArgumentException("node " + i + ": total " + total[i] + " != self " + self[i]
                        + " + children " + childSum[i]);
            }
        }
        int[] fr = frame;
        if (frame[root] != -1) { fr = frame.clone(); fr[root] = -1; }
        return assemble(frames, inverted, n, root, fr, parent, self, total, totalSamples);
    }

    /** Heavier first; equal weights by frame id so the order is deterministic. Primitive, no boxing. */
    private static boolean before(int a, int b, long[] tot, int[] fr) {
        return tot[a] != tot[b] ? tot[a] > tot[b] : fr[a] < fr[b];
    }

    /** Stable sort of {@code a[from, to)} by {@link #before}. */
    private static void sortGroup(int[] a, int from, int to, long[] tot, int[] fr) {
        if (to - from <= 24) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i], j = i - 1;
                while (j >= from && before(v, a[j], tot, fr)) { a[j + 1] = a[j]; j--; }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sortGroup(a, from, mid, tot, fr);
        sortGroup(a, mid, to, tot, fr);
        int[] left = Arrays.copyOfRange(a, from, mid);
        int i = 0, j = mid, k = from;
        while (i < left.length && j < to) a[k++] = before(a[j], left[i], tot, fr) ? a[j++] : left[i++];
        while (i < left.length) a[k++] = left[i++];
    }

    /**
     * Renumbers nodes breadth-first from {@code root} so that siblings are contiguous (heaviest first) and parents
     * precede children, deriving depths on the way. Nodes the walk does not reach make the input invalid.
     */
    static CallTree assemble(FrameTable frames, boolean inverted, int n, int root, int[] fr, int[] par, long[] sf,
                             long[] tot, long[] samples) {
        int[] count = new int[n];
        for (int i = 0; i < n; i++) if (i != root) count[par[i]]++;
        int[] firstKid = new int[n];
        int acc = 0;
        for (int i = 0; i < n; i++) { firstKid[i] = acc; acc += count[i]; }
        int[] kids = new int[Math.max(acc, 1)];
        int[] fill = Arrays.copyOf(firstKid, n);
        for (int i = 0; i < n; i++) if (i != root) kids[fill[par[i]]++] = i;
        for (int i = 0; i < n; i++) if (count[i] > 1) sortGroup(kids, firstKid[i], firstKid[i] + count[i], tot, fr);
        int[] newId = new int[n];
        int[] order = new int[n];
        int[] cStart = new int[n], cCount = new int[n];
        order[0] = root;
        int head = 0, tail = 1;
        while (head < tail) {
            int old = order[head];
            newId[old] = head;
            int c = count[old];
            cStart[head] = tail;
            cCount[head] = c;
            System.arraycopy(kids, firstKid[old], order, tail, c);
            tail += c;
            head++;
        }
        if (head != n) throw new IllegalArgumentException((n - head) + " nodes are not reachable from the root (cycle)");
        int[] nf = new int[n], np = new int[n], nd = new int[n];
        long[] ns = new long[n], nt = new long[n], nc = samples == null ? null : new long[n];
        for (int i = 0; i < n; i++) {
            int old = order[i];
            nf[i] = fr[old];
            np[i] = old == root ? -1 : newId[par[old]];
            nd[i] = old == root ? 0 : nd[np[i]] + 1;
            ns[i] = sf[old];
            nt[i] = tot[old];
            if (nc != null) nc[i] = samples[old];
        }
        return new CallTree(frames, inverted, n, nf, np, nd, ns, nt, cStart, cCount, nc);
    }
}
