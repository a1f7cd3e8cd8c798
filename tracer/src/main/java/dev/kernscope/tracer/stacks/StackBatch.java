package dev.kernscope.tracer.stacks;

import java.nio.ByteBuffer;

/**
 * A reusable block of decoded stack records: headers in parallel primitive arrays, all instruction pointers
 * in one long[] pool. Passed from the ring buffer reader to the writer thread. Not thread-safe: owned by one
 * thread at a time (hand-off through a queue).
 */
final class StackBatch {
    final int capacity;
    int size;
    final long[] ts, weight;
    final int[] kind, cpu, pid, tgid, wakerPid, wakerTgid, nk, nu, nwk, flags, ipOff;
    final long[] ips;
    int ipsUsed;

    StackBatch(int capacity, int ipCapacity) {
        this.capacity = capacity;
        ts = new long[capacity];
        weight = new long[capacity];
        kind = new int[capacity];
        cpu = new int[capacity];
        pid = new int[capacity];
        tgid = new int[capacity];
        wakerPid = new int[capacity];
        wakerTgid = new int[capacity];
        nk = new int[capacity];
        nu = new int[capacity];
        nwk = new int[capacity];
        flags = new int[capacity];
        ipOff = new int[capacity];
        ips = new long[Math.max(ipCapacity, 3 * StackEvent.MAX_DEPTH)];
    }

    /** True if a record with {@code n} ips fits. */
    boolean fits(int n) {
        return size < capacity && ipsUsed + n <= ips.length;
    }

    void clear() {
        size = 0;
        ipsUsed = 0;
    }

    /** Ips a record holds, from its header; clamped to what its length can hold. */
    static int ipCount(ByteBuffer b, int o, int len) {
        long n = (long) clamp(b.getInt(o + StackEvent.NK)) + clamp(b.getInt(o + StackEvent.NU))
                + clamp(b.getInt(o + StackEvent.NWK));
        return (int) Math.min(n, Math.max(0, (len - StackEvent.IPS) / 8));
    }

    private static int clamp(int n) {
        return n < 0 ? 0 : Math.min(n, StackEvent.MAX_DEPTH);
    }

    /** Decodes one ring buffer record (little-endian buffer) into the next slot; call {@link #fits} first. */
    void decode(ByteBuffer b, int o, int len) {
        int i = size++;
        ts[i] = b.getLong(o + StackEvent.TS);
        weight[i] = b.getLong(o + StackEvent.WEIGHT);
        kind[i] = b.getInt(o + StackEvent.KIND);
        cpu[i] = b.getInt(o + StackEvent.CPU);
        pid[i] = b.getInt(o + StackEvent.PID);
        tgid[i] = b.getInt(o + StackEvent.TGID);
        wakerPid[i] = b.getInt(o + StackEvent.WAKER_PID);
        wakerTgid[i] = b.getInt(o + StackEvent.WAKER_TGID);
        flags[i] = b.getInt(o + StackEvent.FLAGS);
        int total = ipCount(b, o, len);
        int k = Math.min(clamp(b.getInt(o + StackEvent.NK)), total);
        int u = Math.min(clamp(b.getInt(o + StackEvent.NU)), total - k);
        nk[i] = k;
        nu[i] = u;
        nwk[i] = total - k - u;
        ipOff[i] = ipsUsed;
        int p = o + StackEvent.IPS;
        for (int j = 0; j < total; j++) ips[ipsUsed + j] = b.getLong(p + 8 * j);
        ipsUsed += total;
    }

    /** End of the interval a record covers: the sample time, or the switch-in of a blocked interval. */
    long endTs(int i) {
        return kind[i] == StackEvent.OFF_CPU ? ts[i] + weight[i] : ts[i];
    }
}
