package dev.kernscope.views.model;

import java.util.Arrays;

/**
 * Aggregates stacks into a call tree. Children are keyed by the packed long {@code parent << 32 | frame} in an
 * open-addressing table (async-profiler's converter does the same), so adding a stack allocates nothing.
 * {@link #build()} gives the top-down tree, {@link #buildInverted()} the bottom-up one from the same stacks.
 * Not thread-safe: fill and build from one thread (typically a background one).
 */
public final class CallTreeBuilder {
    private final FrameTable frames;
    private int size = 1;
    private int[] frame = new int[1024];
    private int[] parent = new int[1024];
    private int[] depth = new int[1024];
    private long[] self = new long[1024];
    private long[] keys = new long[2048];
    private int[] vals = new int[2048];
    private int mask = 2047;
    /** Distinct stacks seen so far → their leaf node (0 = empty slot). */
    private long[] stackHash = new long[1024];
    private int[] stackLeaf = new int[1024];
    private int[][] stackFrames = new int[1024][];
    private int stackMask = 1023;
    private int stacks;

    public CallTreeBuilder(FrameTable frames) {
        this.frames = frames;
        frame[0] = -1;
        parent[0] = -1;
        Arrays.fill(keys, -1L);
    }

    public FrameTable frames() { return frames; }

    /** Adds one stack, outermost caller first ({@code frameIds[0]} is e.g. {@code _start}). */
    public void addStack(int[] frameIds, long weight) { addStack(frameIds, frameIds.length, weight); }

    /** Adds the first {@code len} frames of {@code frameIds}, outermost caller first. */
    public void addStack(int[] frameIds, int len, long weight) {
        // most samples repeat a stack seen before: find its leaf by the whole stack's hash, skipping the tree walk
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < len; i++) h = (h ^ frameIds[i]) * 0x100000001B3L;
        h ^= len;
        int slot = mix(h) & stackMask;
        while (stackLeaf[slot] != 0) {
            if (stackHash[slot] == h && Arrays.equals(stackFrames[slot], 0, stackFrames[slot].length, frameIds, 0, len)) {
                self[stackLeaf[slot]] += weight;
                return;
            }
            slot = (slot + 1) & stackMask;
        }
        int node = 0;
        for (int i = 0; i < len; i++) node = child(node, frameIds[i]);
        self[node] += weight;
        if (node == 0) return;
        stackHash[slot] = h;
        stackLeaf[slot] = node;
        stackFrames[slot] = Arrays.copyOf(frameIds, len);
        if (++stacks * 2 > stackLeaf.length) rehashStacks();
    }

    private void rehashStacks() {
        long[] oh = stackHash;
        int[] ol = stackLeaf;
        int[][] of = stackFrames;
        int cap = ol.length * 2;
        stackHash = new long[cap];
        stackLeaf = new int[cap];
        stackFrames = new int[cap][];
        stackMask = cap - 1;
        for (int i = 0; i < ol.length; i++) {
            if (ol[i] == 0) continue;
            int slot = mix(oh[i]) & stackMask;
            while (stackLeaf[slot] != 0) slot = (slot + 1) & stackMask;
            stackHash[slot] = oh[i];
            stackLeaf[slot] = ol[i];
            stackFrames[slot] = of[i];
        }
    }

    private int child(int p, int f) {
        long key = ((long) p << 32) | (f & 0xffffffffL);
        int h = mix(key) & mask;
        while (true) {
            long k = keys[h];
            if (k == key) return vals[h];
            if (k == -1L) break;
            h = (h + 1) & mask;
        }
        int n = size++;
        if (n == frame.length) {
            int c = n * 2;
            frame = Arrays.copyOf(frame, c);
            parent = Arrays.copyOf(parent, c);
            depth = Arrays.copyOf(depth, c);
            self = Arrays.copyOf(self, c);
        }
        frame[n] = f;
        parent[n] = p;
        depth[n] = depth[p] + 1;
        self[n] = 0;
        keys[h] = key;
        vals[h] = n;
        if (size * 2 > keys.length) rehash();
        return n;
    }

    private static int mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        return (int) k;
    }

    private void rehash() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        mask = keys.length - 1;
        Arrays.fill(keys, -1L);
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] == -1L) continue;
            int h = mix(ok[i]) & mask;
            while (keys[h] != -1L) h = (h + 1) & mask;
            keys[h] = ok[i];
            vals[h] = ov[i];
        }
    }

    /** The top-down tree (root → callers → callees). */
    public CallTree build() { return finish(false, size, frame, parent, self); }

    /** The bottom-up tree: each node's self weight is re-added along its path reversed (leaf first). */
    public CallTree buildInverted() {
        CallTreeBuilder inv = new CallTreeBuilder(frames);
        int[] path = new int[64];
        for (int n = 1; n < size; n++) {
            if (self[n] == 0) continue;
            int d = depth[n];
            if (path.length < d) path = new int[d * 2];
            int k = 0;
            for (int x = n; x != 0; x = parent[x]) path[k++] = frame[x];
            inv.addStack(path, k, self[n]);
        }
        return finish(true, inv.size, inv.frame, inv.parent, inv.self);
    }

    /** Sums totals (children are always created after their parents) and renumbers. */
    private CallTree finish(boolean inverted, int n, int[] fr, int[] par, long[] sf) {
        long[] tot = Arrays.copyOf(sf, n);
        for (int i = n - 1; i > 0; i--) tot[par[i]] += tot[i];
        return CallTree.assemble(frames, inverted, n, 0, fr, par, sf, tot, null);
    }
}
