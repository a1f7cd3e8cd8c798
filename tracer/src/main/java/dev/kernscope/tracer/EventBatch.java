package dev.kernscope.tracer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A block of decoded scheduler events in parallel primitive arrays. The reader fills fixed-capacity ones
 * from the ring buffer and hands them to the writer thread; {@link EventMerger} uses growable ones as
 * queues (events {@code head..size-1}). Not thread-safe: owned by one thread at a time (hand-off through a
 * queue).
 */
final class EventBatch {
    int capacity;
    int head, size;
    long[] ts;
    int[] type, cpu, pid, tgid, pid2, tgid2, arg0, arg1, arg2;
    byte[] comm;

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

    /** Room left, in events. */
    int room() {
        return capacity - size;
    }

    void clear() {
        head = size = 0;
    }

    /**
     * How many events a ring buffer record holds: a batch's count, 1 for a single event. A batch record
     * whose count does not fit its length is cut to what its length holds.
     */
    static int eventsIn(ByteBuffer b, int o, int len) {
        if (len < SchedEvent.SIZE) return 0;
        if ((b.getShort(o + SchedEvent.TYPE) & 0xffff) != SchedEvent.BATCH) return 1;
        int n = b.getInt(o + SchedEvent.PID);
        return Math.max(0, Math.min(n, len / SchedEvent.SIZE - 1));
    }

    /** Decodes one ring buffer record (little-endian buffer), a batch or a single event; needs {@link #eventsIn} room. */
    void decode(ByteBuffer b, int o, int len) {
        int n = eventsIn(b, o, len);
        if (n == 1 && (b.getShort(o + SchedEvent.TYPE) & 0xffff) != SchedEvent.BATCH) {
            decodeOne(b, o, len);
            return;
        }
        for (int k = 1; k <= n; k++) decodeOne(b, o + k * SchedEvent.SIZE, SchedEvent.SIZE);
    }

    private void decodeOne(ByteBuffer b, int o, int len) {
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

    /** Appends a {@link SchedEvent#MARK} at {@code ts}; needs one event of room. */
    void mark(long ts) {
        int i = size++;
        this.ts[i] = ts;
        type[i] = SchedEvent.MARK;
        cpu[i] = pid[i] = tgid[i] = pid2[i] = tgid2[i] = arg0[i] = arg1[i] = arg2[i] = 0;
        comm[i * SchedEvent.COMM_LEN] = 0;
    }

    /** Appends a copy of event {@code i} of {@code src}, growing as needed. */
    void add(EventBatch src, int i) {
        add(src, i, Integer.MAX_VALUE);
    }

    /** Appends a copy of event {@code i} of {@code src}, growing to at most {@code maxCapacity} events. */
    void add(EventBatch src, int i, int maxCapacity) {
        if (size == capacity) makeRoom(maxCapacity);
        int j = size++;
        copy(src, i, this, j);
    }

    /** Inserts a copy of event {@code i} of {@code src} before the queued events stamped later (stable). */
    void insertByTime(EventBatch src, int i) {
        add(src, i, Integer.MAX_VALUE);
        int j = size - 1;
        long t = ts[j];
        if (j == head || ts[j - 1] <= t) return;
        EventBatch one = new EventBatch(1);
        copy(this, j, one, 0);
        while (j > head && ts[j - 1] > t) {
            copy(this, j - 1, this, j);
            j--;
        }
        copy(one, 0, this, j);
    }

    /** The comm of event {@code i} (allocates: only for the rare events that carry one). */
    String comm(int i) {
        int o = i * SchedEvent.COMM_LEN, n = 0;
        while (n < SchedEvent.COMM_LEN && comm[o + n] != 0) n++;
        return new String(comm, o, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Moves the queued events to the front, or doubles the arrays when more than half are queued. */
    private void makeRoom(int maxCapacity) {
        int n = size - head;
        if (head > 0 && (n <= capacity / 2 || capacity >= maxCapacity)) {
            for (int k = 0; k < n; k++) copy(this, head + k, this, k);
            head = 0;
            size = n;
            return;
        }
        capacity = Math.max(16, (int) Math.min(Math.max(maxCapacity, n + 1), capacity * 2L));
        ts = Arrays.copyOf(ts, capacity);
        type = Arrays.copyOf(type, capacity);
        cpu = Arrays.copyOf(cpu, capacity);
        pid = Arrays.copyOf(pid, capacity);
        tgid = Arrays.copyOf(tgid, capacity);
        pid2 = Arrays.copyOf(pid2, capacity);
        tgid2 = Arrays.copyOf(tgid2, capacity);
        arg0 = Arrays.copyOf(arg0, capacity);
        arg1 = Arrays.copyOf(arg1, capacity);
        arg2 = Arrays.copyOf(arg2, capacity);
        comm = Arrays.copyOf(comm, capacity * SchedEvent.COMM_LEN);
    }

    private static void copy(EventBatch s, int i, EventBatch d, int j) {
        d.ts[j] = s.ts[i];
        d.type[j] = s.type[i];
        d.cpu[j] = s.cpu[i];
        d.pid[j] = s.pid[i];
        d.tgid[j] = s.tgid[i];
        d.pid2[j] = s.pid2[i];
        d.tgid2[j] = s.tgid2[i];
        d.arg0[j] = s.arg0[i];
        d.arg1[j] = s.arg1[i];
        d.arg2[j] = s.arg2[i];
        if (s.comm[i * SchedEvent.COMM_LEN] != 0 || d.comm[j * SchedEvent.COMM_LEN] != 0) {
            System.arraycopy(s.comm, i * SchedEvent.COMM_LEN, d.comm, j * SchedEvent.COMM_LEN, SchedEvent.COMM_LEN);
        }
    }
}
