package dev.kernscope.views.model;

/**
 * Point events as primitive arrays, sorted by ts. The meaning of {@code a}, {@code b}, {@code c} depends on the
 * query that returned the block and is given there (e.g. migrations: utid, from cpu, to cpu).
 * Not thread-safe; filled once, then only read.
 */
public final class EventBlock {
    public static final EventBlock EMPTY = new EventBlock(0);

    public int size;
    public long[] ts;
    public int[] a;
    public int[] b;
    public int[] c;
    /** A second timestamp for interval-like events (wakeups: the run ts), else 0. */
    public long[] ts2;

    public EventBlock(int capacity) {
        ts = new long[capacity];
        ts2 = new long[capacity];
        a = new int[capacity];
        b = new int[capacity];
        c = new int[capacity];
    }

    public void add(long t, long t2, int va, int vb, int vc) {
        if (size == ts.length) {
            int n = Math.max(16, size * 2);
            ts = java.util.Arrays.copyOf(ts, n);
            ts2 = java.util.Arrays.copyOf(ts2, n);
            a = java.util.Arrays.copyOf(a, n);
            b = java.util.Arrays.copyOf(b, n);
            c = java.util.Arrays.copyOf(c, n);
        }
        ts[size] = t; ts2[size] = t2; a[size] = va; b[size] = vb; c[size] = vc; size++;
    }
}
