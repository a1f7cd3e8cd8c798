package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumaEventDecoderTest {
    @TempDir Path dir;

    @Test
    void decodesEveryEventTypeWithNodesFromTheTopology() throws IOException {
        NumaTopology two = NumaTopology.read(Fixtures.root("two-node"));
        ByteBuffer buf = ByteBuffer.allocate(NumaEvent.SIZE * 5).order(ByteOrder.LITTLE_ENDIAN);
        // A fault from CPU 0 (node 0) on node 1 memory, 512 pages, which it migrated to node 0: the kernel
        // reports the new node.
        event(buf, 0, 100, NumaEvent.FAULT, 0, 4242, 512, 0, -1, -1, 0, NumaEvent.TNF_MIGRATED);
        event(buf, 1, 200, NumaEvent.STICK, 3, 4242, 0, 0, 2, -1, 0, 0);
        event(buf, 2, 300, NumaEvent.MOVE, 1, 4242, 0, 0, 0, 3, 0, 0);
        event(buf, 3, 400, NumaEvent.MIGRATE_PAGES, 1, 0, 88, 2, 0, 0, 5, 0);
        event(buf, 4, 500, 99, 1, 0, 0, 0, 0, 0, 0, 0); // unknown type: skipped
        Path file = dir.resolve("e.ktrace");
        NumaEventDecoder d;
        try (TraceWriter w = TraceWriter.create(file, false)) {
            two.write(w);
            int utid = w.newThread(4242, 0, "worker", 0);
            d = new NumaEventDecoder(two, tid -> tid == 4242 ? utid : 0);
            for (int i = 0; i < 5; i++) d.decode(buf, i * NumaEvent.SIZE, w);
            w.finish(1000, "test");
        }
        assertThat(d.faults()).isEqualTo(1);
        assertThat(d.decisions()).isEqualTo(2);
        assertThat(d.pageMigrations()).isEqualTo(1);
        try (TraceReader r = TraceReader.open(file)) {
            NumaQueries q = new NumaQueries(r);
            assertThat(q.faults(0, 1000, 0)).containsExactly(new NumaQueries.Fault(100, 1, 0, 0, 0, 512, 1));
            // counted where the page was when touched: node 1, a remote access
            assertThat(q.accessMatrix(0, 1000).pages()).isDeepEqualTo(new long[][] {{0, 512}, {0, 0}});
            assertThat(q.accessMatrix(0, 1000).remote()).isEqualTo(512);
            assertThat(q.decisions(0, 1000)).containsExactly(
                    new NumaQueries.Decision(200, "stick", 1, 2, 1, -1, -1),
                    new NumaQueries.Decision(300, "move", 1, 0, 0, 3, 1));
            assertThat(q.pageMigrations(0, 1000)).containsExactly(new NumaQueries.PageMigration(400, 88, 2, 5, 0));
        }
    }

    private static void event(ByteBuffer b, int i, long ts, int type, int cpu, int pid, long count, long count2,
                              int srcCpu, int dstCpu, int nid, int flags) {
        int o = i * NumaEvent.SIZE;
        b.putLong(o + NumaEvent.TS, ts);
        b.putLong(o + NumaEvent.COUNT, count);
        b.putLong(o + NumaEvent.COUNT2, count2);
        b.putInt(o + NumaEvent.TYPE, type);
        b.putInt(o + NumaEvent.CPU, cpu);
        b.putInt(o + NumaEvent.PID, pid);
        b.putInt(o + NumaEvent.TGID, pid);
        b.putInt(o + NumaEvent.SRC_CPU, srcCpu);
        b.putInt(o + NumaEvent.DST_CPU, dstCpu);
        b.putInt(o + NumaEvent.NID, nid);
        b.putInt(o + NumaEvent.FLAGS, flags);
    }
}
