package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.TraceWriter;
import dev.kernscope.views.model.TimeRange;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;

/**
 * Following a trace that is still being written: a TraceWriter in a background thread stands in for the
 * recorder (the tracer's record command is not on main yet). The app sees the trace grow, "follow live edge"
 * slides the visible window, turning it off freezes the window while data keeps arriving, and the finished file
 * ends live mode.
 */
class LiveFollowTest extends WindowTestSupport {
    @Start
    void start(Stage stage) {
        open(stage);
    }

    /** Writes 4 CPUs of 1 ms slices, 100 ms of trace time per flush, every 60 ms, until told to stop. */
    static Thread writer(Path file, CountDownLatch started, AtomicBoolean stop, AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            long t0 = 1_000_000_000L;
            try (TraceWriter tw = TraceWriter.create(file, true)) {
                tw.meta("start_ts", Long.toString(t0));
                tw.meta("hostname", "live-test");
                for (int c = 0; c < 4; c++) tw.cpu(c, 0, true);
                tw.numaNode(0, 1L << 30, "0-3");
                int upid = tw.newProcess(100, "worker", "worker", 0, t0);
                int[] utid = new int[8];
                for (int i = 0; i < 8; i++) utid[i] = tw.newThread(100 + i, upid, "w" + i, t0);
                long ts = t0, events = 0;
                int round = 0;
                while (!stop.get()) {
                    for (int k = 0; k < 100; k++, ts += 1_000_000) {
                        for (int c = 0; c < 4; c++) tw.slice(c, ts, 900_000, utid[(k + c) % 8], 1, 120);
                        events += 4;
                    }
                    tw.tracerCost(ts, 1_000_000L * ++round, 50L << 20, events, 0);
                    tw.flush();
                    if (round == 2) started.countDown();
                    Thread.sleep(60);
                }
                tw.finish(ts, "duration");
            } catch (Throwable e) {
                error.set(e);
                started.countDown();
            }
        }, "test-trace-writer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void followsAGrowingTraceAndFreezesOnRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("live.ktrace");
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread wt = writer(file, started, stop, error);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(error.get()).isNull();

        fx(() -> w.open(file));
        waitFor("live tab", () -> w.currentTab() != null);
        TraceTab tab = fx(w::currentTab);
        assertThat(fx(() -> tab.liveProperty().get())).isTrue();
        assertThat(fx(tab::getText)).startsWith("● ");
        long end0 = fx(() -> tab.selection().getBounds().end());

        // zoom into a 50 ms window: following keeps that width at the live edge
        fx(() -> { TimeRange b = tab.selection().getBounds(); tab.selection().setVisibleRange(b.start(), b.start() + 50_000_000, 1); return null; });
        waitFor("trace growth", () -> tab.selection().getBounds().end() > end0 + 300_000_000L);
        // read together: a live refresh between two reads would move both
        TimeRange[] vb = fx(() -> new TimeRange[]{tab.selection().getVisibleRange(), tab.selection().getBounds()});
        TimeRange vis = vb[0], b = vb[1];
        assertThat(vis.end()).isEqualTo(b.end());
        assertThat(vis.duration()).isEqualTo(50_000_000);
        assertThat(fx(() -> w.status().getText())).contains("recording").contains("events/s");

        // freeze: the window stays while the trace keeps growing
        fx(() -> { tab.followLiveEdgeProperty().set(false); return null; });
        TimeRange frozen = fx(() -> tab.selection().getVisibleRange());
        long endAtFreeze = fx(() -> tab.selection().getBounds().end());
        waitFor("growth while frozen", () -> tab.selection().getBounds().end() > endAtFreeze + 300_000_000L);
        assertThat(fx(() -> tab.selection().getVisibleRange())).isEqualTo(frozen);

        stop.set(true);
        wt.join(20_000);
        assertThat(error.get()).isNull();
        waitFor("end of live mode", () -> !tab.liveProperty().get());
        assertThat(fx(tab::getText)).isEqualTo("live.ktrace");
        assertThat(fx(() -> tab.document().summary().endReason())).isEqualTo("duration");
    }
}
