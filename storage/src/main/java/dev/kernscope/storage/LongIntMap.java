package dev.kernscope.storage;

import java.util.Arrays;

/**
 * Open-addressing hash map from long to non-negative int, for the flame-tree builders' (parent, frame)
 * children index: no boxing per lookup.
 *
 * <p>Not thread-safe.
 */
final class LongIntMap {
    static final int ABSENT = -1;

    private long[] keys;
    private int[] values;
    private int mask;
    private int size;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(values, ABSENT);
        mask = cap - 1;
    }

    int get(long key) {
        int i = slot(key);
        while (true) {
            int v = values[i];
            if (v == ABSENT || keys[i] == key) return v;
            i = (i + 1) & mask;
        }
    }

    /** Inserts a key known to be absent. */
    void putNew(long key, int value) {
        int i = slot(key);
        while (values[i] != ABSENT) i = (i + 1) & mask;
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > values.length) grow();
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    private void grow() {
        long[] k = keys;
        int[] v = values;
        keys = new long[k.length * 2];
        values = new int[v.length * 2];
        Arrays.fill(values, ABSENT);
        mask = values.length - 1;
        size = 0;
        for (int i = 0; i < k.length; i++) if (v[i] != ABSENT) putNew(k[i], v[i]);
    }
}
