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
        int node = 0;
        for (int i = 0; i < len; i++) node = child(node, frameIds[i]);
        self[node] += weight;
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
    public CallTree build() { return finish(false, size, frame, parent, depth, self); }

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
        return finish(true, inv.size, inv.frame, inv.parent, inv.depth, inv.self);
    }

    /** Renumbers nodes so siblings are contiguous (heaviest first) and sums totals. */
    private CallTree finish(boolean inverted, int n, int[] fr, int[] par, int[] dep, long[] sf) {
        long[] tot = Arrays.copyOf(sf, n);
        for (int i = n - 1; i > 0; i--) tot[par[i]] += tot[i]; // children are always created after parents
        int[] count = new int[n];
        for (int i = 1; i < n; i++) count[par[i]]++;
        int[] firstKid = new int[n];
        int acc = 0;
        for (int i = 0; i < n; i++) { firstKid[i] = acc; acc += count[i]; }
        int[] kids = new int[Math.max(acc, 1)];
        int[] fill = Arrays.copyOf(firstKid, n);
        for (int i = 1; i < n; i++) kids[fill[par[i]]++] = i;
        // BFS renumbering; sort each sibling group by total desc, ties by name for determinism
        int[] newId = new int[n];
        int[] order = new int[n];
        order[0] = 0;
        int head = 0, tail = 1;
        int[] cStart = new int[n], cCount = new int[n];
        Integer[] tmp = new Integer[0];
        while (head < tail) {
            int old = order[head];
            newId[old] = head;
            int c = count[old];
            cStart[head] = tail;
            cCount[head] = c;
            if (c > 0) {
                if (tmp.length < c) tmp = new Integer[c];
                for (int j = 0; j < c; j++) tmp[j] = kids[firstKid[old] + j];
                Arrays.sort(tmp, 0, c, (a, b) -> tot[a] != tot[b] ? Long.compare(tot[b], tot[a])
                        : frames.name(fr[a]).compareTo(frames.name(fr[b])));
                for (int j = 0; j < c; j++) order[tail++] = tmp[j];
            }
            head++;
        }
        int[] nf = new int[n], np = new int[n], nd = new int[n];
        long[] ns = new long[n], nt = new long[n];
        for (int i = 0; i < n; i++) {
            int old = order[i];
            nf[i] = fr[old];
            np[i] = old == 0 ? -1 : newId[par[old]];
            nd[i] = dep[old];
            ns[i] = sf[old];
            nt[i] = tot[old];
        }
        return new CallTree(frames, inverted, n, nf, np, nd, ns, nt, cStart, cCount);
    }
}
