package dev.kernscope.storage;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Flame-graph queries over {@code stack_sample}: SQL groups the samples of a window by leaf stack, Java
 * walks each distinct stack through an in-memory copy of the {@code stack} table and merges the chains
 * into a {@link FlameTree}. The copy is loaded once and extended as a live recording adds stacks, so keep
 * one instance per reader.
 *
 * <p>Thread-safe: queries lock the reader, as its own methods do.
 */
public final class FlameQueries {
    /** Which samples a tree aggregates. */
    public enum Mode {
        /** On-CPU samples ({@code kind} 0), weighted by sampling period. */
        ON,
        /** Off-CPU blocks ({@code kind} 1), weighted by blocked time. */
        OFF,
        /** Both: where the time went, running or waiting. */
        WALL
    }

    /**
     * What to aggregate: samples with {@code from <= ts < to} of one mode, optionally of one process
     * ({@code pid} &gt; 0), one thread ({@code tid} &gt; 0), one CPU ({@code cpu} &ge; 0) or the threads
     * whose current name or process name is {@code comm}.
     */
    public record Filter(long from, long to, Mode mode, int pid, int tid, int cpu, String comm) {
        public static Filter of(long from, long to, Mode mode) {
            return new Filter(from, to, mode, 0, 0, -1, null);
        }

        public Filter withPid(int p) {
            return new Filter(from, to, mode, p, tid, cpu, comm);
        }

        public Filter withTid(int t) {
            return new Filter(from, to, mode, pid, t, cpu, comm);
        }

        public Filter withCpu(int c) {
            return new Filter(from, to, mode, pid, tid, c, comm);
        }

        public Filter withComm(String c) {
            return new Filter(from, to, mode, pid, tid, cpu, c);
        }
    }

    /**
     * Longest caller chain a trace may hold: far above what any unwinder records (127 kernel plus 127 user
     * frames with frame pointers), low enough that one lying chain cannot fill memory or a folded line.
     */
    static final int MAX_STACK_DEPTH = 4096;

    /** Name of the frame that stands for samples whose stack was not captured. */
    public static final String NO_STACK = "[no stack]";

    private final TraceReader reader;
    private final boolean finished;
    private StackTable stacks;

    public FlameQueries(TraceReader reader) {
        this.reader = reader;
        this.finished = !"recording".equals(reader.meta().get("end_reason"));
    }

    /** The top-down tree: outermost callers at depth 1. */
    public FlameTree tree(Filter f) throws IOException {
        synchronized (reader) {
            StackTable t = stackTable();
            return build(t, weights(f), false);
        }
    }

    /** The bottom-up (inverted, icicle) tree: innermost frames at depth 1, their callers below. */
    public FlameTree inverted(Filter f) throws IOException {
        synchronized (reader) {
            StackTable t = stackTable();
            return build(t, weights(f), true);
        }
    }

    /** The top-down tree of per-stack weights a caller picked itself (stack 0 = none captured): the critical path's. */
    FlameTree tree(Weights w) throws IOException {
        synchronized (reader) {
            return build(stackTable(), w, false);
        }
    }

    // --- SQL ------------------------------------------------------------------------------------------------

    /** Per leaf stack: id (0 = none), summed weight, sample count; in order of first appearance. */
    /**
     * The pre-order of a tree given by parent links (node 0 the root, {@code parent[i] < i}), each node's
     * children visited in the rank of their frames: {@code order[k]} is the k-th node visited. Iterative, so a
     * deep tree cannot overflow the stack.
     */
    static int[] preorder(int n, int[] parent, int[] frame, int[] rank) {
        // children lists (CSR), each sorted by frame rank
        int[] start = new int[n + 1];
        for (int i = 1; i < n; i++) start[parent[i] + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        int[] fill = Arrays.copyOf(start, n);
        long[] kids = new long[Math.max(0, n - 1)];
        for (int i = 1; i < n; i++) kids[fill[parent[i]]++] = ((long) rank[frame[i]] << 32) | i;
        for (int i = 0; i < n; i++) if (start[i + 1] - start[i] > 1) Arrays.sort(kids, start[i], start[i + 1]);
        int[] order = new int[n], stack = new int[n];
        int sp = 0, k = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int v = stack[--sp];
            order[k++] = v;
            for (int j = start[v + 1] - 1; j >= start[v]; j--) stack[sp++] = (int) kids[j];
        }
        return order;
    }

    static final class Weights {
        long[] stack = new long[1024];
        long[] weight = new long[1024];
        long[] count = new long[1024];
        int size;
        private LongIntMap rows; // stack -> index, for sum()

        /** Adds one sample of weight {@code w} to stack {@code s}'s row, making the row on first sight. */
        void sum(long s, long w) {
            if (rows == null) rows = new LongIntMap(4096);
            int r = rows.get(s);
            if (r == LongIntMap.ABSENT) {
                rows.putNew(s, size);
                add(s, w, 1);
            } else {
                weight[r] += w;
                count[r]++;
            }
        }

        void add(long s, long w, long c) {
            if (size == stack.length) {
                stack = Arrays.copyOf(stack, size * 2);
                weight = Arrays.copyOf(weight, size * 2);
                count = Arrays.copyOf(count, size * 2);
            }
            stack[size] = s;
            weight[size] = w;
            count[size++] = c;
        }
    }

    private Weights weights(Filter f) throws IOException {
        // Rows stream out ungrouped and are summed in a primitive map: SQLite's GROUP BY sorts every row
        // through a temporary B-tree, which costs about twice the CPU of handing the rows over (1 M rows:
        // ~350 ms against ~195 ms here). getLong reads NULL (no stack captured) as 0.
        // A window over most of the trace reads the table straight through (see TraceReader.wide).
        StringBuilder sql = new StringBuilder("SELECT stack_id, weight FROM stack_sample")
                .append(reader.wide(f.from(), f.to()) ? " NOT INDEXED" : "").append(" WHERE ts >= ? AND ts < ?");
        if (f.mode() == Mode.ON) sql.append(" AND kind = 0");
        if (f.mode() == Mode.OFF) sql.append(" AND kind = 1");
        if (f.cpu() >= 0) sql.append(" AND cpu = ?");
        if (f.tid() > 0) sql.append(" AND utid IN (SELECT utid FROM thread WHERE tid = ?)");
        if (f.pid() > 0) {
            sql.append(" AND utid IN (SELECT utid FROM thread WHERE upid IN (SELECT upid FROM process WHERE pid = ?))");
        }
        if (f.comm() != null) {
            sql.append(" AND utid IN (SELECT t.utid FROM thread t LEFT JOIN process p USING (upid) "
                    + "WHERE t.name = ? OR p.name = ?)");
        }
        Weights w = new Weights();
        try {
            PreparedStatement ps = reader.stmt(sql.toString());
            int i = 1;
            ps.setLong(i++, f.from());
            ps.setLong(i++, f.to());
            if (f.cpu() >= 0) ps.setInt(i++, f.cpu());
            if (f.tid() > 0) ps.setInt(i++, f.tid());
            if (f.pid() > 0) ps.setInt(i++, f.pid());
            if (f.comm() != null) {
                ps.setString(i++, f.comm());
                ps.setString(i++, f.comm());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) w.sum(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("flame weights", e);
        }
        return w;
    }

    /**
     * The {@code stack} and {@code frame} tables in primitive arrays: stacks sorted by id with their parent
     * as an index, frames merged by (name, module, kind) into canonical indexes ordered by name.
     */
    static final class StackTable {
        long[] ids = new long[0];
        int[] parentIdx = new int[0];
        int[] frameIdx = new int[0];
        /** Frames from the root: every chain walk ends within this many steps. */
        int[] depth = new int[0];
        long[] rawFrame = new long[0];
        int size;
        long maxFrameId = -1;
        long frameCount = -1;
        String[] names = new String[0];
        String[] modules = new String[0];
        /** The linker's name of each canonical frame whose name was demangled, else null. */
        String[] mangled = new String[0];
        byte[] kinds = new byte[0];
        /** Position of each canonical frame in (name, module, kind) order, for sorting children. */
        int[] rank = new int[0];
        /** frame.id values sorted, and the canonical frame of each. */
        long[] frameIdsSorted = new long[0];
        int[] frameCanon = new int[0];

        int indexOf(long id) {
            return Arrays.binarySearch(ids, 0, size, id);
        }
    }

    private StackTable stackTable() throws IOException {
        if (stacks != null && finished) return stacks;
        StackTable t = stacks == null ? new StackTable() : stacks;
        try {
            long[] fc = new long[2];
            try (ResultSet rs = reader.stmt("SELECT coalesce(max(id), -1), count(*) FROM frame").executeQuery()) {
                if (rs.next()) {
                    fc[0] = rs.getLong(1);
                    fc[1] = rs.getLong(2);
                }
            }
            // Frame rows can be rewritten in place (JIT names resolved at the end), so reload them whole.
            boolean framesChanged = fc[0] != t.maxFrameId || fc[1] != t.frameCount || !finishedNow();
            if (framesChanged) loadFrames(t, fc);
            long last = t.size == 0 ? Long.MIN_VALUE : t.ids[t.size - 1];
            int before = t.size;
            PreparedStatement ps = reader.stmt("SELECT id, coalesce(parent_id, 0), frame_id FROM stack WHERE id > ? ORDER BY id");
            ps.setLong(1, last);
            long[] parents = new long[Math.max(16, t.size)];
            int np = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (t.size == t.ids.length) {
                        int cap = Math.max(1024, t.size * 2);
                        t.ids = Arrays.copyOf(t.ids, cap);
                        t.parentIdx = Arrays.copyOf(t.parentIdx, cap);
                        t.frameIdx = Arrays.copyOf(t.frameIdx, cap);
                        t.depth = Arrays.copyOf(t.depth, cap);
                        t.rawFrame = Arrays.copyOf(t.rawFrame, cap);
                    }
                    if (np == parents.length) parents = Arrays.copyOf(parents, np * 2);
                    long id = rs.getLong(1);
                    if (t.size > 0 && id <= t.ids[t.size - 1]) throw reader.damaged("its stack table is out of order at stack " + id);
                    t.ids[t.size] = id;
                    parents[np++] = rs.getLong(2);
                    t.rawFrame[t.size++] = rs.getLong(3);
                }
            }
            for (int i = before; i < t.size; i++) {
                long p = parents[i - before];
                // The writer interns a caller before its callees, so a parent's id is smaller than its child's:
                // a chain that points forward could loop, and is damage. A parent that is missing cuts the chain.
                if (p != 0 && p >= t.ids[i]) {
                    throw reader.damaged("stack " + t.ids[i] + " names stack " + p + " as its caller (chains must lead to the root)");
                }
                int pi = p == 0 ? -1 : t.indexOf(p);
                if (pi >= i) throw reader.damaged("stack " + t.ids[i] + "'s caller chain loops");
                t.parentIdx[i] = pi < 0 ? -1 : pi;
                t.depth[i] = pi < 0 ? 0 : t.depth[pi] + 1;
                if (t.depth[i] >= MAX_STACK_DEPTH) {
                    throw reader.damaged("stack " + t.ids[i] + " is more than " + MAX_STACK_DEPTH + " frames deep");
                }
            }
            if (framesChanged) {
                for (int i = 0; i < t.size; i++) t.frameIdx[i] = canonical(t, t.rawFrame[i]);
            } else {
                for (int i = before; i < t.size; i++) t.frameIdx[i] = canonical(t, t.rawFrame[i]);
            }
        } catch (SQLException e) {
            throw TraceReader.queryError("stacks", e);
        }
        stacks = t;
        return t;
    }

    private boolean finishedNow() throws IOException {
        return finished || !reader.isLive();
    }

    private void loadFrames(StackTable t, long[] fc) throws SQLException, TraceFormatException {
        Map<String, Integer> canon = new HashMap<>();
        int n = (int) fc[1];
        long[] ids = new long[n];
        int[] idx = new int[n];
        String[] names = new String[n + 1];
        String[] modules = new String[n + 1];
        String[] mangled = new String[n + 1];
        byte[] kinds = new byte[n + 1];
        int k = 0, distinct = 0;
        // frame_mangled is absent from traces written before demangling.
        String sql = reader.hasTable("frame_mangled")
                ? "SELECT f.id, f.name, f.module, f.kind, m.mangled FROM frame f LEFT JOIN frame_mangled m ON m.frame_id = f.id ORDER BY f.id"
                : "SELECT id, name, module, kind, NULL FROM frame ORDER BY id";
        try (ResultSet rs = reader.stmt(sql).executeQuery()) {
            while (rs.next() && k < n) {
                String name = rs.getString(2), module = rs.getString(3);
                if (name == null) throw reader.damaged("frame " + rs.getLong(1) + " has no name");
                int kind = rs.getInt(4);
                if (kind < TraceWriter.FRAME_KERNEL || kind > TraceWriter.FRAME_UNKNOWN) kind = TraceWriter.FRAME_UNKNOWN;
                String key = kind + "\u0000" + (module == null ? "\u0001" : module) + "\u0000" + name;
                Integer c = canon.get(key);
                if (c == null) {
                    c = distinct++;
                    canon.put(key, c);
                    names[c] = name;
                    modules[c] = module;
                    mangled[c] = rs.getString(5);
                    kinds[c] = (byte) kind;
                }
                ids[k] = rs.getLong(1);
                idx[k++] = c;
            }
        }
        // One more canonical frame for samples without a stack (and stacks whose rows are missing).
        names[distinct] = NO_STACK;
        kinds[distinct] = (byte) TraceWriter.FRAME_UNKNOWN;
        distinct++;
        t.names = Arrays.copyOf(names, distinct);
        t.modules = Arrays.copyOf(modules, distinct);
        t.mangled = Arrays.copyOf(mangled, distinct);
        t.kinds = Arrays.copyOf(kinds, distinct);
        Integer[] order = new Integer[distinct];
        for (int i = 0; i < distinct; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = t.names[a].compareTo(t.names[b]);
            if (c != 0) return c;
            c = String.valueOf(t.modules[a]).compareTo(String.valueOf(t.modules[b]));
            return c != 0 ? c : Integer.compare(t.kinds[a], t.kinds[b]);
        });
        t.rank = new int[distinct];
        for (int i = 0; i < distinct; i++) t.rank[order[i]] = i;
        t.frameIdsSorted = Arrays.copyOf(ids, k);
        t.frameCanon = Arrays.copyOf(idx, k);
        t.maxFrameId = fc[0];
        t.frameCount = fc[1];
    }

    private static int canonical(StackTable t, long frameId) {
        int i = Arrays.binarySearch(t.frameIdsSorted, frameId);
        return i >= 0 ? t.frameCanon[i] : t.names.length - 1;
    }

    // --- aggregation ----------------------------------------------------------------------------------------

    private static FlameTree build(StackTable t, Weights w, boolean inverted) {
        Builder b = new Builder(Math.max(64, w.size * 2));
        int noStack = t.names.length - 1;
        int[] nodeOfStack = inverted ? null : new int[t.size];
        if (nodeOfStack != null) Arrays.fill(nodeOfStack, -1);
        int[] path = new int[64];
        for (int r = 0; r < w.size; r++) {
            int idx = w.stack[r] == 0 ? -1 : t.indexOf(w.stack[r]);
            int node;
            if (idx < 0) {
                node = b.child(0, noStack);
            } else if (!inverted) {
                // Climb to the nearest stack already placed in the tree, then descend creating nodes.
                int n = 0;
                int x = idx;
                while (x >= 0 && nodeOfStack[x] < 0) {
                    if (n == path.length) path = Arrays.copyOf(path, n * 2);
                    path[n++] = x;
                    x = t.parentIdx[x];
                }
                node = x >= 0 ? nodeOfStack[x] : 0;
                while (n > 0) {
                    int s = path[--n];
                    node = b.child(node, t.frameIdx[s]);
                    nodeOfStack[s] = node;
                }
            } else {
                node = 0;
                for (int x = idx; x >= 0; x = t.parentIdx[x]) node = b.child(node, t.frameIdx[x]);
            }
            b.self[node] += w.weight[r];
            b.selfSamples[node] += w.count[r];
        }
        return b.finish(t, inverted);
    }

    /** Grows the tree in creation order (parents before children), then lays it out in sorted pre-order. */
    private static final class Builder {
        int size = 1;
        int[] parent;
        int[] frame;
        long[] self;
        long[] selfSamples;
        final LongIntMap children;

        Builder(int cap) {
            parent = new int[cap];
            frame = new int[cap];
            self = new long[cap];
            selfSamples = new long[cap];
            parent[0] = -1;
            frame[0] = -1;
            children = new LongIntMap(cap);
        }

        int child(int p, int f) {
            long key = ((long) p << 32) | (f & 0xffffffffL);
            int c = children.get(key);
            if (c != LongIntMap.ABSENT) return c;
            if (size == parent.length) {
                int cap = size * 2;
                parent = Arrays.copyOf(parent, cap);
                frame = Arrays.copyOf(frame, cap);
                self = Arrays.copyOf(self, cap);
                selfSamples = Arrays.copyOf(selfSamples, cap);
            }
            c = size++;
            parent[c] = p;
            frame[c] = f;
            children.putNew(key, c);
            return c;
        }

        FlameTree finish(StackTable t, boolean inverted) {
            int n = size;
            long[] total = Arrays.copyOf(self, n);
            long[] totalSamples = Arrays.copyOf(selfSamples, n);
            for (int i = n - 1; i > 0; i--) {
                total[parent[i]] += total[i];
                totalSamples[parent[i]] += totalSamples[i];
            }
            int[] order = preorder(n, parent, frame, t.rank);
            int[] newIndex = new int[n];
            for (int k = 0; k < n; k++) newIndex[order[k]] = k;
            int[] oParent = new int[n], oDepth = new int[n], oEnd = new int[n], oFrame = new int[n];
            long[] oSelf = new long[n], oTotal = new long[n], oSelfS = new long[n], oTotalS = new long[n];
            for (int i = 0; i < n; i++) {
                int v = order[i];
                oParent[i] = v == 0 ? -1 : newIndex[parent[v]];
                oDepth[i] = v == 0 ? 0 : oDepth[oParent[i]] + 1;
                oFrame[i] = frame[v];
                oSelf[i] = self[v];
                oTotal[i] = total[v];
                oSelfS[i] = selfSamples[v];
                oTotalS[i] = totalSamples[v];
            }
            // A subtree ends where the next node at its depth or above begins: propagate ends bottom-up.
            for (int i = n - 1; i >= 0; i--) {
                if (oEnd[i] == 0) oEnd[i] = i + 1;
                if (i > 0) oEnd[oParent[i]] = Math.max(oEnd[oParent[i]], oEnd[i]);
            }
            return new FlameTree(inverted, oParent, oDepth, oEnd, oFrame, oSelf, oTotal, oSelfS, oTotalS,
                    t.names, t.modules, t.mangled, t.kinds);
        }
    }
}
