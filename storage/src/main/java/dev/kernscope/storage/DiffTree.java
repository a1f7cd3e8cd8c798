package dev.kernscope.storage;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Two top-down call trees merged node by node, for comparing two windows of one trace or two traces: a node is
 * a call path (frames matched by name, module and kind), with the self and total weight it has in the baseline
 * {@code A} and in {@code B} (0 where a path exists in only one). Pre-order like {@link FlameTree}: node 0 is
 * the root, a subtree is {@code [n, end(n))}, children sorted by name, module and kind.
 *
 * <p>Immutable and thread-safe.
 */
public final class DiffTree {
    private final int[] parent, depth, end, frame;
    private final long[] selfA, totalA, selfB, totalB;
    private final String[] names, modules;
    private final byte[] kinds;
    private final int maxDepth;

    private DiffTree(int[] parent, int[] depth, int[] end, int[] frame, long[] selfA, long[] totalA, long[] selfB,
                     long[] totalB, String[] names, String[] modules, byte[] kinds) {
        this.parent = parent;
        this.depth = depth;
        this.end = end;
        this.frame = frame;
        this.selfA = selfA;
        this.totalA = totalA;
        this.selfB = selfB;
        this.totalB = totalB;
        this.names = names;
        this.modules = modules;
        this.kinds = kinds;
        int m = 0;
        for (int d : depth) m = Math.max(m, d);
        maxDepth = m;
    }

    /** Merges baseline {@code a} with {@code b}; both must be top-down. */
    public static DiffTree of(FlameTree a, FlameTree b) {
        if (a.inverted() || b.inverted()) throw new IllegalArgumentException("a differential tree merges top-down trees");
        Merger m = new Merger(a.size() + b.size());
        m.add(a, 0);
        m.add(b, 1);
        return m.finish();
    }

    public int size() {
        return parent.length;
    }

    public int parent(int n) {
        return parent[n];
    }

    public int depth(int n) {
        return depth[n];
    }

    public int maxDepth() {
        return maxDepth;
    }

    public int end(int n) {
        return end[n];
    }

    /** Function name, or {@code all} for the root. */
    public String name(int n) {
        return frame[n] < 0 ? "all" : names[frame[n]];
    }

    public String module(int n) {
        return frame[n] < 0 ? null : modules[frame[n]];
    }

    /** A {@code TraceWriter.FRAME_*} constant; -1 for the root. */
    public int kind(int n) {
        return frame[n] < 0 ? -1 : kinds[frame[n]];
    }

    public long selfA(int n) {
        return selfA[n];
    }

    public long totalA(int n) {
        return totalA[n];
    }

    public long selfB(int n) {
        return selfB[n];
    }

    public long totalB(int n) {
        return totalB[n];
    }

    /**
     * B's total minus A's, with A scaled to B's whole weight when {@code normalized} (so two windows of different
     * length compare as shares), in B's unit (ns).
     */
    public double delta(int n, boolean normalized) {
        double scale = normalized && totalA[0] > 0 ? (double) totalB[0] / totalA[0] : 1;
        return totalB[n] - scale * totalA[n];
    }

    /** Builds the union in creation order (parents first), then lays it out in sorted pre-order. */
    private static final class Merger {
        final Map<String, Integer> frameIds = new HashMap<>();
        String[] names = new String[64], modules = new String[64];
        byte[] kinds = new byte[64];
        int frames;
        int size = 1;
        int[] parent, frame;
        long[][] self = new long[2][];
        final LongIntMap children;

        Merger(int cap) {
            cap = Math.max(16, cap);
            parent = new int[cap];
            frame = new int[cap];
            self[0] = new long[cap];
            self[1] = new long[cap];
            parent[0] = -1;
            frame[0] = -1;
            children = new LongIntMap(cap);
        }

        void add(FlameTree t, int side) {
            // the tree's frame table, mapped once to ours
            int[] frameMap = new int[t.frameCount()];
            for (int f = 0; f < frameMap.length; f++) frameMap[f] = intern(t.frameName(f), t.frameModule(f), t.frameKind(f));
            int[] nodeOf = new int[t.size()];
            nodeOf[0] = 0;
            for (int n = 1; n < t.size(); n++) {
                int node = child(nodeOf[t.parent(n)], frameMap[t.frameId(n)]);
                nodeOf[n] = node;
                self[side][node] += t.self(n);
            }
            self[side][0] += t.self(0);
        }

        int intern(String name, String module, int kind) {
            String key = kind + "\u0000" + (module == null ? "\u0001" : module) + "\u0000" + name;
            Integer id = frameIds.get(key);
            if (id != null) return id;
            if (frames == names.length) {
                names = Arrays.copyOf(names, frames * 2);
                modules = Arrays.copyOf(modules, frames * 2);
                kinds = Arrays.copyOf(kinds, frames * 2);
            }
            names[frames] = name;
            modules[frames] = module;
            kinds[frames] = (byte) kind;
            frameIds.put(key, frames);
            return frames++;
        }

        int child(int p, int f) {
            long key = ((long) p << 32) | (f & 0xffffffffL);
            int c = children.get(key);
            if (c != LongIntMap.ABSENT) return c;
            if (size == parent.length) {
                int cap = size * 2;
                parent = Arrays.copyOf(parent, cap);
                frame = Arrays.copyOf(frame, cap);
                self[0] = Arrays.copyOf(self[0], cap);
                self[1] = Arrays.copyOf(self[1], cap);
            }
            c = size++;
            parent[c] = p;
            frame[c] = f;
            children.putNew(key, c);
            return c;
        }

        DiffTree finish() {
            int n = size;
            // rank of each frame in (name, module, kind) order, to sort children
            Integer[] order = new Integer[frames];
            for (int i = 0; i < frames; i++) order[i] = i;
            Arrays.sort(order, (x, y) -> {
                int c = names[x].compareTo(names[y]);
                if (c != 0) return c;
                c = String.valueOf(modules[x]).compareTo(String.valueOf(modules[y]));
                return c != 0 ? c : Integer.compare(kinds[x], kinds[y]);
            });
            int[] rank = new int[frames];
            for (int i = 0; i < frames; i++) rank[order[i]] = i;
            long[] totA = Arrays.copyOf(self[0], n), totB = Arrays.copyOf(self[1], n);
            for (int i = n - 1; i > 0; i--) {
                totA[parent[i]] += totA[i];
                totB[parent[i]] += totB[i];
            }
            int[] order2 = FlameQueries.preorder(n, parent, frame, rank), newIndex = new int[n];
            for (int k = 0; k < n; k++) newIndex[order2[k]] = k;
            int[] oParent = new int[n], oDepth = new int[n], oEnd = new int[n], oFrame = new int[n];
            long[] oSelfA = new long[n], oTotA = new long[n], oSelfB = new long[n], oTotB = new long[n];
            for (int i = 0; i < n; i++) {
                int v = order2[i];
                oParent[i] = v == 0 ? -1 : newIndex[parent[v]];
                oDepth[i] = v == 0 ? 0 : oDepth[oParent[i]] + 1;
                oFrame[i] = frame[v];
                oSelfA[i] = self[0][v];
                oTotA[i] = totA[v];
                oSelfB[i] = self[1][v];
                oTotB[i] = totB[v];
            }
            for (int i = n - 1; i >= 0; i--) {
                if (oEnd[i] == 0) oEnd[i] = i + 1;
                if (i > 0) oEnd[oParent[i]] = Math.max(oEnd[oParent[i]], oEnd[i]);
            }
            return new DiffTree(oParent, oDepth, oEnd, oFrame, oSelfA, oTotA, oSelfB, oTotB,
                    Arrays.copyOf(names, frames), Arrays.copyOf(modules, frames), Arrays.copyOf(kinds, frames));
        }
    }
}
