package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled panel load stops its whole-trace query: {@link TraceReader#interrupt} from another thread makes the
 * running query fail with an IOException, and the reader answers the next query normally.
 */
class ReaderInterruptTest {
    @Test
    void interruptStopsTheRunningQueryAndTheNextOneRuns(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("big.ktrace");
        // ~300 k slices and their wakeups: a thread-summary pass takes far longer than the interrupt loop's 1 ms
        SyntheticTrace.generate(trace, new SyntheticTrace.Params(3, 2, 1, 8, 4, 5, 30_000, false, false));
        try (TraceReader r = TraceReader.open(trace)) {
            long[] b = r.bounds();
            AtomicBoolean done = new AtomicBoolean();
            Thread interrupter = new Thread(() -> {
                while (!done.get()) {
                    r.interrupt();
                    try { Thread.sleep(1); } catch (InterruptedException e) { return; }
                }
            });
            interrupter.start();
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> r.threadSummaries(b[0], b[1]));
            done.set(true);
            interrupter.join();
            // (an interrupt that lands in the thread-table check before the pass says "statement is not executing",
            // and is wrongly worded as damage: TraceRanges.refresh, a known issue)
            assertThat(e.getMessage()).containsAnyOf("interrupt", "statement is not executing");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the query stopped").isLessThan(2_000);
            assertThat(r.threadSummaries(b[0], b[0] + (b[1] - b[0]) / 100)).isNotEmpty();
        }
    }
}
