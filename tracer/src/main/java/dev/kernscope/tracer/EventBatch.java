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
    final int[] type, cpu, pid, tgid, pid2, tgid2, arg0, arg1, arg2;
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
        arg2 = new int[capacity];
        comm = new byte[capacity * SchedEvent.COMM_LEN];
    }

    boolean full() {
        return size == capacity;
    }

    /** Decodes one ring buffer record (little-endian buffer) into the next slot. */
    void decode(ByteBuffer b, int o, int len) {
        int i = size++;
        ts[i] = b.getLong(o + SchedEvent.TS);
        pid[i] = b.getInt(o + SchedEvent.PID);
        type[i] = b.getShort(o + SchedEvent.TYPE) & 0xffff;
        cpu[i] = b.getShort(o + SchedEvent.CPU) & 0xffff;
        tgid[i] = b.getInt(o + SchedEvent.TGID);
        pid2[i] = b.getInt(o + SchedEvent.PID2);
        tgid2[i] = b.getInt(o + SchedEvent.TGID2);
        arg0[i] = b.getShort(o + SchedEvent.ARG0) & 0xffff;
        arg1[i] = b.get(o + SchedEvent.ARG1) & 0xff;
        arg2[i] = b.get(o + SchedEvent.ARG2) & 0xff;
        if (len >= SchedEvent.TASK_SIZE) b.get(o + SchedEvent.COMM, comm, i * SchedEvent.COMM_LEN, SchedEvent.COMM_LEN);
        else comm[i * SchedEvent.COMM_LEN] = 0;
    }

    /** The comm of event {@code i} (allocates: only for the rare events that carry one). */
    String comm(int i) {
        int o = i * SchedEvent.COMM_LEN, n = 0;
        while (n < SchedEvent.COMM_LEN && comm[o + n] != 0) n++;
        return new String(comm, o, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
