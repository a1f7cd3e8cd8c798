package dev.kernscope.views.model;

/**
 * Scheduling slices as parallel primitive arrays (struct of arrays), sorted by {@code ts}; entry {@code i} is
 * {@code ts[i], dur[i], utid[i], ...} for {@code i < size}. At low resolution an entry may stand for several
 * slices ({@code merged[i] > 1}); it then carries the utid that ran longest in that bucket.
 * Not thread-safe; a block is filled once and then only read.
 */
public final class SliceBlock {
    public static final SliceBlock EMPTY = new SliceBlock(0);

    public int size;
    public long[] ts;
    public long[] dur;
    public int[] utid;
    /** End state per slice, a {@link ThreadState} code. */
    public byte[] endState;
    /** Wakeup-to-run latency of the slice in ns, or -1 when the slice did not start from a wakeup. */
    public long[] latency;
    /** Number of raw slices this entry represents (1 at full resolution). */
    public int[] merged;

    public SliceBlock(int capacity) {
        ts = new long[capacity];
        dur = new long[capacity];
        utid = new int[capacity];
        endState = new byte[capacity];
        latency = new long[capacity];
        merged = new int[capacity];
    }

    /** Appends an entry, growing the arrays as needed. */
    public void add(long t, long d, int u, byte state, long lat, int count) {
        if (size == ts.length) grow();
        ts[size] = t; dur[size] = d; utid[size] = u; endState[size] = state; latency[size] = lat; merged[size] = count;
        size++;
    }

    private void grow() {
        int n = Math.max(16, ts.length * 2);
        ts = java.util.Arrays.copyOf(ts, n);
        dur = java.util.Arrays.copyOf(dur, n);
        utid = java.util.Arrays.copyOf(utid, n);
        endState = java.util.Arrays.copyOf(endState, n);
        latency = java.util.Arrays.copyOf(latency, n);
        merged = java.util.Arrays.copyOf(merged, n);
    }

    /** Index of the entry covering {@code t}, or -1. */
    public int indexAt(long t) {
        int lo = 0, hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] > t) hi = mid - 1;
            else if (ts[mid] + dur[mid] <= t) lo = mid + 1;
            else return mid;
        }
        return -1;
    }
}
