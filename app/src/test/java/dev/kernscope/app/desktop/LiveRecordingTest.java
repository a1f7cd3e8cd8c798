package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.TraceWriter;
import dev.kernscope.views.model.CpuInfo;
import dev.kernscope.views.timeline.TimelineLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;

/**
 * A tab opened the moment the recorder created its file, as the app does when it starts a recording: the file has
 * its meta but neither topology nor start time yet. A TraceWriter in a background thread writes what the recorder
 * writes, in its order (facts and topology in the first flush, then slices and run-queue samples flush by flush).
 * The lanes must appear and grow on the trace's own time base, and the tab must say how the recording ended.
 */
class LiveRecordingTest extends WindowTestSupport {
    static final long T0 = 5_000_000_000_000L; // ~83 min after boot, as a real recording's start

    @Start
    void start(Stage stage) {
        open(stage);
    }

    /**
     * Creates the file, waits for {@code tabOpen}, then writes 4 CPUs' worth of 0.9 ms slices, 100 ms per flush,
     * {@code flushes} times; finishes with "stopped" when {@code finish}, else closes as a recorder that died.
     */
    static Thread recorder(Path file, CountDownLatch created, CountDownLatch tabOpen, int flushes, boolean finish,
                           AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            try (TraceWriter tw = TraceWriter.create(file, true)) {
                created.countDown();
                if (!tabOpen.await(60, TimeUnit.SECONDS)) throw new AssertionError("the tab never opened");
                Thread.sleep(600); // a few live polls of a file with nothing in it
                tw.meta("start_ts", Long.toString(T0));
                tw.meta("hostname", "live-recording-test");
                for (int c = 0; c < 4; c++) tw.cpu(c, 0, true);
                tw.numaNode(0, 1L << 30, "0-3");
                int upid = tw.newProcess(300, "pinger", "pinger", 0, T0);
                int[] utid = new int[8];
                for (int i = 0; i < 8; i++) utid[i] = tw.newThread(300 + i, upid, "ping" + i, T0);
                tw.flush();
                long ts = T0, events = 0;
                for (int round = 1; round <= flushes; round++) {
                    for (int k = 0; k < 100; k++, ts += 1_000_000) {
                        for (int c = 0; c < 4; c++) tw.slice(c, ts, 900_000, utid[(k + c) % 8], 1, 120);
                        if (k % 10 == 0) for (int c = 0; c < 4; c++) tw.runqSample(ts, c, 1 + (k / 10 + c) % 3);
                        events += 4;
                    }
                    tw.tracerCost(ts, 1_000_000L * round, 50L << 20, events, 0);
                    tw.flush();
                    Thread.sleep(120);
                }
                if (finish) tw.finish(ts, "stopped");
            } catch (Throwable e) {
                error.set(e);
                created.countDown();
            }
        }, "test-recorder");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Distinct colours along the middle of CPU {@code index}'s lane, right of the lane names. */
    static int laneColours(Image img, List<CpuInfo> cpus, int index) {
        TimelineLayout.Row row = new TimelineLayout(cpus, false).cpuRowAt(index);
        PixelReader pr = img.getPixelReader();
        Set<Integer> s = new HashSet<>();
        int y = (int) (row.y() + row.laneH() / 2);
        for (int x = (int) TimelineLayout.GUTTER + 4; x < img.getWidth() - 16; x++) s.add(pr.getArgb(x, y));
        return s.size();
    }

    TraceTab openWhenCreated(Path file, CountDownLatch created, CountDownLatch tabOpen) throws Exception {
        assertThat(created.await(30, TimeUnit.SECONDS)).isTrue();
        fx(() -> { w.stage().setWidth(1280); w.stage().setHeight(720); w.open(file); return null; });
        waitFor("tab", () -> w.currentTab() != null);
        TraceTab tab = fx(w::currentTab);
        tabOpen.countDown();
        return tab;
    }

    @Test
    void lanesGrowFromTheFirstFlushOnTheTracesTimeBase(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rec.ktrace");
        CountDownLatch created = new CountDownLatch(1), tabOpen = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread rec = recorder(file, created, tabOpen, 25, true, error);
        TraceTab tab = openWhenCreated(file, created, tabOpen);
        assertThat(fx(() -> tab.liveProperty().get())).isTrue();
        assertThat(fx(() -> tab.timeline().getSource())).as("no lanes to show before the topology").isNull();
        assertThat(fx(() -> w.status().getText())).contains("waiting for the first data");
        fx(() -> Screenshots.png(w.root(), 1, Path.of("target", "ui", "live-waiting.png")));

        waitFor("lanes", () -> tab.timeline().getSource() != null
                && tab.selection().getBounds().duration() > 500_000_000L && !tab.timeline().busyProperty().get());
        assertThat(fx(() -> tab.selection().getBounds().start())).as("the trace's own start, not boot").isEqualTo(T0);
        assertThat(fx(() -> tab.timeline().getSource().cpus())).hasSize(4);
        assertThat(fx(() -> tab.processFilter().getItems())).extracting(TraceTab.ProcessItem::name).contains("pinger");
        List<CpuInfo> cpus = fx(() -> tab.timeline().getSource().cpus());
        Image live = fx(() -> { Screenshots.png(tab.timeline(), 1, Path.of("target", "ui", "live-lanes.png")); return tab.timeline().snapshot(null, null); });
        for (int i = 0; i < 4; i++) assertThat(laneColours(live, cpus, i)).as("CPU %d's live lane", i).isGreaterThan(4);

        rec.join(30_000);
        assertThat(error.get()).isNull();
        waitFor("end of the recording", () -> !tab.liveProperty().get());
        assertThat(fx(tab::getText)).isEqualTo("rec.ktrace");
        assertThat(fx(() -> tab.getTooltip().getText())).contains("Recording ended at").contains("stopped");
        waitFor("the status bar saying so", () -> w.status().getText().contains("Recording ended at"));
        assertThat(fx(() -> w.status().getText())).contains("stopped").doesNotContain("●");
        assertThat(fx(() -> tab.selection().getBounds().start())).isEqualTo(T0);
        fx(() -> { tab.panels().getSelectionModel().select(2); return null; });
        waitFor("threads panel", () -> tab.threadsTable().table().getItems().size() >= 8);
    }

    @Test
    void aRecorderThatDiesLeavesAnUnfinishedTraceNotALiveOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("died.ktrace");
        CountDownLatch created = new CountDownLatch(1), tabOpen = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread rec = recorder(file, created, tabOpen, 4, false, error);
        TraceTab tab = openWhenCreated(file, created, tabOpen);
        rec.join(30_000);
        assertThat(error.get()).isNull();
        waitFor("end of live mode", () -> !tab.liveProperty().get());
        assertThat(fx(tab::getText)).isEqualTo("died.ktrace (unfinished)");
        waitFor("the status bar saying so", () -> w.status().getText().contains("the recorder died"));
        assertThat(fx(() -> w.status().getText())).doesNotContain("● recording");
        assertThat(fx(() -> tab.timeline().getSource().cpus())).hasSize(4);
        assertThat(Files.size(file)).isGreaterThan(0);
    }
}
