package dev.kernscope.tracer;

import java.nio.ByteBuffer;

/**
 * A reusable block of decoded scheduler events in parallel primitive arrays, passed from the ring buffer
 * reader to the writer thread. Not thread-safe: owned by one thread at a time (hand-off through a queue).
 */
final class EventBatch {
    final int capacity;
    int size;
    final long[] ts;
    final int[] type, cpu, pid, tgid, pid2, tgid2, arg0, arg1, state, runq, runqCpu;
    final byte[] comm;

    EventBatch(int capacity) {
        this.capacity = capacity;
        ts = new long[capacity];
        type = new int[capacity];
        cpu = new int[capacity];
        pid = new int[capacity];
        tgid = new int[capacity];
        pid2 = new int[capacity];
        tgid2 = new int[capacity];
        arg0 = new int[capacity];
        arg1 = new int[capacity];
        state = new int[capacity];
        runq = new int[capacity];
        runqCpu = new int[capacity];
        comm = new byte[capacity * SchedEvent.COMM_LEN];
    }

    boolean full() {
        return size == capacity;
    }

    /** Decodes one ring buffer record (little-endian buffer) into the next slot. */
    void decode(ByteBuffer b, int o, int len) {
        int i = size++;
        ts[i] = b.getLong(o + SchedEvent.TS);
        state[i] = (int) b.getLong(o + SchedEvent.STATE);
        type[i] = b.getInt(o + SchedEvent.TYPE);
        cpu[i] = b.getInt(o + SchedEvent.CPU);
        pid[i] = b.getInt(o + SchedEvent.PID);
        tgid[i] = b.getInt(o + SchedEvent.TGID);
        pid2[i] = b.getInt(o + SchedEvent.PID2);
        tgid2[i] = b.getInt(o + SchedEvent.TGID2);
        arg0[i] = b.getInt(o + SchedEvent.ARG0);
        arg1[i] = b.getInt(o + SchedEvent.ARG1);
        runq[i] = b.getInt(o + SchedEvent.RUNQ);
        runqCpu[i] = b.getInt(o + SchedEvent.RUNQ_CPU);
        if (len >= SchedEvent.SIZE) b.get(o + SchedEvent.COMM, comm, i * SchedEvent.COMM_LEN, SchedEvent.COMM_LEN);
        else comm[i * SchedEvent.COMM_LEN] = 0;
    }

    /** The comm of event {@code i} (allocates: only for the rare events that carry one). */
    String comm(int i) {
        int o = i * SchedEvent.COMM_LEN, n = 0;
        while (n < SchedEvent.COMM_LEN && comm[o + n] != 0) n++;
        return new String(comm, o, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
