package dev.kernscope.tracer.symbols;

import java.util.Arrays;

/**
 * Open-addressing hash map from a pair of longs to a non-negative long, so that the per-sample paths
 * (ip to frame, (parent, frame) to stack) box nothing and allocate nothing once warmed up.
 *
 * <p>Not thread-safe.
 */
final class LongPairMap {
    /** Returned by {@link #get} for an absent key. */
    static final long ABSENT = -1;

    private long[] keys;   // two slots per entry
    private long[] values; // ABSENT marks a free entry
    private int mask;
    private int size;

    LongPairMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap * 2];
        values = new long[cap];
        Arrays.fill(values, ABSENT);
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    long get(long a, long b) {
        int i = slot(a, b);
        while (true) {
            long v = values[i];
            if (v == ABSENT) return ABSENT;
            if (keys[2 * i] == a && keys[2 * i + 1] == b) return v;
            i = (i + 1) & mask;
        }
    }

    void put(long a, long b, long value) {
        if (value < 0) throw new IllegalArgumentException("values must be non-negative: " + value);
        int i = slot(a, b);
        while (values[i] != ABSENT) {
            if (keys[2 * i] == a && keys[2 * i + 1] == b) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[2 * i] = a;
        keys[2 * i + 1] = b;
        values[i] = value;
        if (++size * 2 > values.length) grow();
    }

    private int slot(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L + b;
        h = (h ^ (h >>> 32)) * 0xD6E8FEB86659FD93L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        int cap = oldValues.length * 2;
        keys = new long[cap * 2];
        values = new long[cap];
        Arrays.fill(values, ABSENT);
        mask = cap - 1;
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != ABSENT) put(oldKeys[2 * i], oldKeys[2 * i + 1], oldValues[i]);
        }
    }
}
