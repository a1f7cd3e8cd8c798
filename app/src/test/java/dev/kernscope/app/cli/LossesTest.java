package dev.kernscope.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Losses are counted per cause and CPU against what was offered; {@code info} says how many and what fraction. */
class LossesTest {
    @TempDir
    Path dir;

    @Test
    void infoSaysHowManyWereLostOfTheOfferedByCauseAndCpu() throws Exception {
        Path t = dir.resolve("lossy.ktrace");
        try (TraceWriter w = TraceWriter.create(t, false)) {
            w.meta("start_ts", "1000");
            w.cpu(0, 0, true);
            w.cpu(1, 0, true);
            int utid = w.newThread(42, w.newProcess(42, "app", "app", 0, 1000), "app", 1000);
            w.slice(0, 1000, 500, utid, 1, 120);
            w.lost(1_250, 0, "ringbuf", 5);
            w.lost(1_250, 1, "ringbuf", 7);
            w.lost(1_500, 1, "stacks_ringbuf", 2);
            w.lost(1_500, -1, "stack_truncated", 3);
            w.tracerCost(1_500, 10, 1 << 20, 100, 12); // 100 scheduler events decoded
            w.stackSample(1_200, utid, 0, 0, TraceWriter.SAMPLE_ON_CPU, 10_000_000, 0, 0);
            w.stackSample(1_300, utid, 0, 0, TraceWriter.SAMPLE_ON_CPU, 10_000_000, 0, 0);
            w.finish(2_000, "duration");
        }
        try (TraceReader r = TraceReader.open(t)) {
            Model.Losses l = r.losses();
            assertThat(l.lost()).isEqualTo(14);
            assertThat(l.offered()).as("100 events + 2 samples recorded, 14 lost").isEqualTo(116);
            assertThat(l.truncated()).as("kept, cut off: not lost").isEqualTo(3);
            assertThat(l.bySource()).isEqualTo(Map.of("ringbuf", 12L, "stacks_ringbuf", 2L));
            assertThat(l.byCpu()).isEqualTo(Map.of(0, 5L, 1, 9L));
        }
        CliTest.Result info = CliTest.run("info", t.toString());
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.out()).contains("losses     14 of 116 offered events (12.069 %): ringbuf 12, stacks_ringbuf 2; "
                + "by CPU 0: 5, 1: 9; 3 stacks kept cut off at the maximum depth");
    }
}
