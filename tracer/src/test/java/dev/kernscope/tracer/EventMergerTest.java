package dev.kernscope.tracer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-CPU batches and single events come back in time order, up to each mark and no further. */
class EventMergerTest {
    private final List<long[]> out = new ArrayList<>(); // {ts, type, cpu, pid}
    private final EventMerger merger = new EventMerger((b, i) -> out.add(new long[]{b.ts[i], b.type[i], b.cpu[i], b.pid[i]}));

    @Test
    void releasesInTimeOrderUpToEachMark() throws IOException {
        EventBatch in = new EventBatch(64);
        // CPU 1's batch arrives before CPU 0's older one; a fork (single record) falls between them
        add(in, 300, SchedEvent.SWITCH, 1, 11);
        add(in, 500, SchedEvent.WAKEUP, 1, 12);
        add(in, 350, SchedEvent.FORK, 0, 13);
        add(in, 100, SchedEvent.SWITCH, 0, 14);
        add(in, 400, SchedEvent.MIGRATE, 0, 15);
        add(in, 700, SchedEvent.SWITCH, 0, 16);
        in.mark(450);
        merger.add(in);
        assertThat(out).extracting(e -> e[0]).containsExactly(100L, 300L, 350L, 400L);
        assertThat(out).extracting(e -> e[3]).containsExactly(14L, 11L, 13L, 15L);
        assertThat(merger.released()).isEqualTo(450);
        assertThat(merger.queued()).isEqualTo(2);

        in.clear();
        add(in, 600, SchedEvent.EXIT, 1, 17);
        in.mark(650);
        merger.add(in);
        assertThat(out).extracting(e -> e[0]).containsExactly(100L, 300L, 350L, 400L, 500L, 600L);
        merger.releaseAll();
        assertThat(out).extracting(e -> e[0]).containsExactly(100L, 300L, 350L, 400L, 500L, 600L, 700L);
        assertThat(merger.queued()).isZero();
        assertThat(merger.disordered).isZero();
    }

    @Test
    void aBatchedEventOlderThanItsCpusLastIsDroppedAndCounted() throws IOException {
        EventBatch in = new EventBatch(8);
        add(in, 200, SchedEvent.SWITCH, 3, 1);
        add(in, 150, SchedEvent.WAKEUP, 3, 2); // replayed stale slot
        add(in, 150, SchedEvent.WAKEUP, 2, 3); // another CPU: fine
        merger.add(in);
        merger.releaseAll();
        assertThat(out).extracting(e -> e[3]).containsExactly(3L, 1L);
        assertThat(merger.disordered).isEqualTo(1);
    }

    @Test
    void manyCpusBatchesInAnyOrderComeOutSorted() throws IOException {
        Random rnd = new Random(7);
        int cpus = 37;
        // each CPU's stream in time order; every twentieth event a single-record one (exec)
        List<List<long[]>> streams = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            List<long[]> s = new ArrayList<>();
            long t = rnd.nextInt(1000);
            for (int k = 0; k < 300 + rnd.nextInt(300); k++) {
                t += 1 + rnd.nextInt(1000);
                s.add(new long[]{t, rnd.nextInt(20) == 0 ? SchedEvent.EXEC : SchedEvent.SWITCH, c});
                all.add(t);
            }
            streams.add(s);
        }
        // hand over random CPUs' next batches of 1..126 events, with a mark now and then at a time before
        // every CPU's first event not handed over yet, as the reader's flush guarantees
        int[] next = new int[cpus];
        EventBatch part = new EventBatch(16);
        int left = all.size();
        while (left > 0) {
            int c = rnd.nextInt(cpus);
            for (int n = 1 + rnd.nextInt(126); n > 0 && next[c] < streams.get(c).size(); n--, left--) {
                long[] e = streams.get(c).get(next[c]++);
                EventBatch one = new EventBatch(1);
                add(one, e[0], (int) e[1], (int) e[2], 0);
                part.add(one, 0);
            }
            if (rnd.nextInt(10) == 0) {
                long mark = Long.MAX_VALUE;
                for (int k = 0; k < cpus; k++) {
                    if (next[k] < streams.get(k).size()) mark = Math.min(mark, streams.get(k).get(next[k])[0]);
                }
                EventBatch one = new EventBatch(1);
                one.mark(mark - rnd.nextInt(50));
                part.add(one, 0);
                merger.add(part);
                part.clear();
            }
        }
        merger.add(part);
        merger.releaseAll();
        all.sort(null);
        assertThat(out).extracting(e -> e[0]).containsExactlyElementsOf(all);
        assertThat(merger.late).isZero();
    }

    @Test
    void anEventOlderThanAPassedMarkIsStillAppliedAndCountedLate() throws IOException {
        EventBatch in = new EventBatch(8);
        add(in, 100, SchedEvent.SWITCH, 0, 1);
        in.mark(200);
        add(in, 150, SchedEvent.SWITCH, 1, 2);
        add(in, 250, SchedEvent.SWITCH, 1, 3);
        merger.add(in);
        merger.releaseAll();
        assertThat(out).extracting(e -> e[3]).containsExactly(1L, 2L, 3L);
        assertThat(merger.late).isEqualTo(1);
    }

    @Test
    void withoutMarksTheHorizonReleasesWhatEveryCpuHasPassed() throws IOException {
        List<long[]> got = new ArrayList<>();
        EventMerger m = new EventMerger((b, i) -> got.add(new long[]{b.ts[i]}), new int[]{0, 1}, 1000);
        EventBatch in = new EventBatch(128);
        int maxQueued = 0;
        long t = 0;
        // both CPUs busy, batches of 100 alternating, never a mark: 20 000 events through a bound of 1000
        for (int k = 0; k < 200; k++) {
            in.clear();
            for (int e = 0; e < 100; e++) add(in, t + 2L * e + (k % 2), SchedEvent.SWITCH, k % 2, e);
            if (k % 2 == 1) t += 200;
            m.add(in);
            maxQueued = Math.max(maxQueued, m.queued());
        }
        assertThat(maxQueued).isLessThanOrEqualTo(1000);
        assertThat(m.forced).isZero();
        assertThat(got.size()).isGreaterThan(19_000);
        m.releaseAll();
        assertThat(got).hasSize(20_000);
        assertThat(got).extracting(e -> e[0]).isSorted();
        assertThat(m.late).isZero();
    }

    @Test
    void aQuietCpuCannotMakeTheQueueGrowPastItsBound() throws IOException {
        List<long[]> got = new ArrayList<>();
        EventMerger m = new EventMerger((b, i) -> got.add(new long[]{b.ts[i], b.cpu[i]}), new int[]{0, 1}, 1000);
        EventBatch in = new EventBatch(128);
        int maxQueued = 0;
        // CPU 1 flat out, CPU 0 silent (its partial batch not sent), no mark gets through
        for (int k = 0; k < 100; k++) {
            in.clear();
            for (int e = 0; e < 100; e++) add(in, 1000 + k * 100L + e, SchedEvent.SWITCH, 1, e);
            m.add(in);
            maxQueued = Math.max(maxQueued, m.queued());
        }
        assertThat(maxQueued).isLessThanOrEqualTo(1000);
        assertThat(m.forced).isPositive();
        // CPU 0's old batch finally arrives: applied, and counted late
        in.clear();
        add(in, 500, SchedEvent.SWITCH, 0, 1);
        add(in, 600, SchedEvent.SWITCH, 0, 2);
        m.add(in);
        m.releaseAll();
        assertThat(got).hasSize(10_002);
        assertThat(m.late).isEqualTo(2);
        assertThat(m.disordered).isZero();
    }

    @Test
    void decodesABatchRecordAndASingleOne() {
        ByteBuffer b = ByteBuffer.allocate(SchedEvent.BATCH_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(SchedEvent.TYPE, (short) SchedEvent.BATCH).putInt(SchedEvent.PID, 3);
        for (int k = 1; k <= 3; k++) {
            int o = k * SchedEvent.SIZE;
            b.putLong(o + SchedEvent.TS, 1000 + k).putShort(o + SchedEvent.TYPE, (short) SchedEvent.SWITCH)
                    .putShort(o + SchedEvent.CPU, (short) 5).putInt(o + SchedEvent.PID, 40 + k).put(o + SchedEvent.ARG2, (byte) 120);
        }
        int len = 4 * SchedEvent.SIZE;
        assertThat(EventBatch.eventsIn(b, 0, len)).isEqualTo(3);
        // a count beyond the record's length is cut to what it holds
        assertThat(EventBatch.eventsIn(b.duplicate().order(ByteOrder.LITTLE_ENDIAN), 0, 3 * SchedEvent.SIZE)).isEqualTo(2);
        EventBatch e = new EventBatch(8);
        e.decode(b, 0, len);
        assertThat(e.size).isEqualTo(3);
        assertThat(e.ts).startsWith(1001, 1002, 1003);
        assertThat(e.pid).startsWith(41, 42, 43);
        assertThat(e.cpu).startsWith(5, 5, 5);
        assertThat(e.arg2).startsWith(120, 120, 120);

        ByteBuffer one = ByteBuffer.allocate(SchedEvent.TASK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        one.putLong(SchedEvent.TS, 77).putShort(SchedEvent.TYPE, (short) SchedEvent.EXEC).put(SchedEvent.COMM, "ks".getBytes());
        assertThat(EventBatch.eventsIn(one, 0, SchedEvent.TASK_SIZE)).isEqualTo(1);
        e.decode(one, 0, SchedEvent.TASK_SIZE);
        assertThat(e.type[3]).isEqualTo(SchedEvent.EXEC);
        assertThat(e.comm(3)).isEqualTo("ks");
    }

    private static void add(EventBatch b, long ts, int type, int cpu, int pid) {
        int i = b.size++;
        b.ts[i] = ts;
        b.type[i] = type;
        b.cpu[i] = cpu;
        b.pid[i] = pid;
    }
}
