package dev.kernscope.storage;

import java.util.Arrays;

/**
 * Slices of one CPU as parallel primitive arrays, in start order: what window and LOD queries return
 * instead of one object per slice. {@code cnt[i] > 1} marks a LOD row that merges several slices, whose
 * {@code busy[i]} is their summed running time. Mutable only while the reader fills it; treat as immutable.
 */
public final class SliceBlock {
    public final int cpu;
    public int size;
    public long[] ts;
    public long[] dur;
    public int[] utid;
    public int[] cnt;
    public long[] busy;
    public int[] endState;

    SliceBlock(int cpu, int capacity) {
        this.cpu = cpu;
        int c = Math.max(capacity, 16);
        ts = new long[c];
        dur = new long[c];
        utid = new int[c];
        cnt = new int[c];
        busy = new long[c];
        endState = new int[c];
    }

    void add(long t, long d, int u, int n, long b, int state) {
        if (size == ts.length) {
            int c = size * 2;
            ts = Arrays.copyOf(ts, c);
            dur = Arrays.copyOf(dur, c);
            utid = Arrays.copyOf(utid, c);
            cnt = Arrays.copyOf(cnt, c);
            busy = Arrays.copyOf(busy, c);
            endState = Arrays.copyOf(endState, c);
        }
        ts[size] = t;
        dur[size] = d;
        utid[size] = u;
        cnt[size] = n;
        busy[size] = b;
        endState[size] = state;
        size++;
    }

    public int size() {
        return size;
    }
}
