package dev.kernscope.storage;

import java.io.IOException;

/**
 * An aggregated call tree ready to lay out, in flat arrays. Nodes are in pre-order: node 0 is the root
 * ({@code all}), a node's subtree is the index range {@code [n, end(n))}, and children follow their parent
 * sorted by name (then module and kind) so that the layout does not jump when the window moves.
 * Top-down trees have callers above callees. Inverted (bottom-up) trees have the innermost frames as the
 * root's children and their callers below; there {@code self} is the weight of stacks whose outermost
 * frame is that node. In both, {@code total(n) = self(n) + sum of total(child)}. Weights are in ns.
 *
 * <p>Immutable and thread-safe.
 */
public final class FlameTree {
    private final boolean inverted;
    private final int[] parent;
    private final int[] depth;
    private final int[] end;
    private final int[] frame;
    private final long[] self;
    private final long[] total;
    private final long[] selfSamples;
    private final long[] totalSamples;
    private final String[] frameNames;
    private final String[] frameModules;
    private final String[] frameMangled;
    private final byte[] frameKinds;
    private final int maxDepth;

    FlameTree(boolean inverted, int[] parent, int[] depth, int[] end, int[] frame, long[] self, long[] total,
              long[] selfSamples, long[] totalSamples, String[] frameNames, String[] frameModules,
              String[] frameMangled, byte[] frameKinds) {
        this.inverted = inverted;
        this.parent = parent;
        this.depth = depth;
        this.end = end;
        this.frame = frame;
        this.self = self;
        this.total = total;
        this.selfSamples = selfSamples;
        this.totalSamples = totalSamples;
        this.frameNames = frameNames;
        this.frameModules = frameModules;
        this.frameMangled = frameMangled;
        this.frameKinds = frameKinds;
        int m = 0;
        for (int d : depth) m = Math.max(m, d);
        this.maxDepth = m;
    }

    /** True for the bottom-up tree (innermost frames first). */
    public boolean inverted() {
        return inverted;
    }

    /** Number of nodes, the root included. */
    public int size() {
        return parent.length;
    }

    /** Parent node, -1 for the root. */
    public int parent(int node) {
        return parent[node];
    }

    /** 0 for the root, 1 for its children. */
    public int depth(int node) {
        return depth[node];
    }

    public int maxDepth() {
        return maxDepth;
    }

    /** One past the last node of this node's subtree. */
    public int end(int node) {
        return end[node];
    }

    /** First child, or -1 for a leaf. */
    public int firstChild(int node) {
        return node + 1 < end[node] ? node + 1 : -1;
    }

    /** Next sibling, or -1 for the last child (and for the root). */
    public int nextSibling(int node) {
        int p = parent[node];
        return p >= 0 && end[node] < end[p] ? end[node] : -1;
    }

    /** Index of the node's frame in this tree's frame table ({@link #frameCount()}); -1 for the root. */
    public int frameId(int node) {
        return frame[node];
    }

    public int frameCount() {
        return frameNames.length;
    }

    public String frameName(int frameId) {
        return frameNames[frameId];
    }

    public String frameModule(int frameId) {
        return frameModules[frameId];
    }

    /** The linker's name when {@link #frameName} is its demangled form, else null. */
    public String frameMangled(int frameId) {
        return frameMangled[frameId];
    }

    public int frameKind(int frameId) {
        return frameKinds[frameId];
    }

    /** Function name, {@code module+0xoffset}, or {@code all} for the root. */
    public String name(int node) {
        return frame[node] < 0 ? "all" : frameNames[frame[node]];
    }

    /** Binary, {@code [kernel]}, {@code [jit]}, or null. */
    public String module(int node) {
        return frame[node] < 0 ? null : frameModules[frame[node]];
    }

    /** A {@code TraceWriter.FRAME_*} constant; -1 for the root. */
    public int kind(int node) {
        return frame[node] < 0 ? -1 : frameKinds[frame[node]];
    }

    /** Weight (ns) of samples that end at this node. */
    public long self(int node) {
        return self[node];
    }

    /** Weight (ns) of samples in this node's subtree. */
    public long total(int node) {
        return total[node];
    }

    /** Number of samples that end at this node. */
    public long selfSamples(int node) {
        return selfSamples[node];
    }

    /** Number of samples in this node's subtree. */
    public long totalSamples(int node) {
        return totalSamples[node];
    }

    /**
     * The tree as CSV in pre-order: {@code depth,name,module,kind,self,total,self_samples,total_samples},
     * names quoted; for diff tests and debugging.
     */
    public void writeCsv(Appendable out) throws IOException {
        out.append("depth,name,module,kind,self,total,self_samples,total_samples\n");
        for (int n = 0; n < size(); n++) {
            out.append(Integer.toString(depth[n])).append(',').append(quote(name(n))).append(',')
                    .append(module(n) == null ? "" : quote(module(n))).append(',').append(Integer.toString(kind(n)))
                    .append(',').append(Long.toString(self[n])).append(',').append(Long.toString(total[n]))
                    .append(',').append(Long.toString(selfSamples[n])).append(',')
                    .append(Long.toString(totalSamples[n])).append('\n');
        }
    }

    private static String quote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
