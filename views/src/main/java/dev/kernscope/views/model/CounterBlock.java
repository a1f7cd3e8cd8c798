package dev.kernscope.views.model;

/**
 * A step series (value holds from {@code ts[i]} until {@code ts[i+1]}) as primitive arrays, sorted by ts.
 * Used for run-queue length per CPU. Not thread-safe; filled once, then only read.
 */
public final class CounterBlock {
    public static final CounterBlock EMPTY = new CounterBlock(0);

    public int size;
    public long[] ts;
    public double[] value;

    public CounterBlock(int capacity) {
        ts = new long[capacity];
        value = new double[capacity];
    }

    public void add(long t, double v) {
        if (size == ts.length) {
            int n = Math.max(16, size * 2);
            ts = java.util.Arrays.copyOf(ts, n);
            value = java.util.Arrays.copyOf(value, n);
        }
        ts[size] = t; value[size] = v; size++;
    }
}
