package dev.kernscope.views.model;

/**
 * An aggregated call tree in struct-of-arrays form. Node 0 is the synthetic root ("all"); children of a node
 * are the contiguous range {@code childStart[n] .. childStart[n] + childCount[n]}, heaviest first. Weights are
 * longs whose unit depends on the {@link FlameMode}. Built by {@link CallTreeBuilder}; immutable and safe to
 * read from any thread.
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
    private final int maxDepth;

    CallTree(FrameTable frames, boolean inverted, int size, int[] frame, int[] parent, int[] depth, long[] self,
             long[] total, int[] childStart, int[] childCount) {
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

    public int childCount(int node) { return childCount[node]; }

    public int child(int node, int i) { return childStart[node] + i; }

    public String name(int node) { return node == ROOT ? "all" : frames.name(frame[node]); }

    public FrameKind kind(int node) { return node == ROOT ? FrameKind.UNKNOWN : frames.kind(frame[node]); }
}
