package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;

/**
 * Record from the UI with the real recorder (as root on a BPF-capable kernel, as in CI): the live tab's event
 * count grows, Stop ends the helper with SIGINT, and the file becomes a finished trace that stays open.
 */
class RealRecordingTest extends WindowTestSupport {
    @Start
    void start(Stage stage) {
        open(stage);
    }

    @AfterEach
    void killHelper() {
        if (w.helper() != null && w.helper().process().isAlive()) w.helper().process().destroyForcibly();
    }

    @Test
    void recordsLiveAndStopsIntoAFinishedTrace(@TempDir Path dir) throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "recording needs root (CI runs as root)");
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "the kernel has no BTF");
        Path out = dir.resolve("live.ktrace");
        fx(() -> { w.startRecording(new RecordingHelper.Options(out, null, null, null, 16)); return null; });
        waitFor("live tab", () -> w.currentTab() != null || (w.lastAlert() != null && w.lastAlert().isShowing()));
        assertThat(w.lastAlert()).as("no error dialog").isNull();
        TraceTab tab = fx(w::currentTab);
        assertThat(fx(() -> tab.liveProperty().get())).isTrue();
        waitFor("events recorded", () -> tab.document().summary().rowCounts().getOrDefault("sched_slice", 0L) > 0);
        // the tab opened as soon as the file existed, before the topology and start time: they show once written
        waitFor("lanes", () -> tab.timeline().getSource() != null && tab.selection().getBounds().duration() > 200_000_000L
                && !tab.timeline().busyProperty().get());
        long start = Long.parseLong(tab.document().reader().freshMeta().get("start_ts"));
        assertThat(fx(() -> tab.selection().getBounds().start())).as("the trace's own time base").isEqualTo(start);
        assertThat(fx(() -> tab.timeline().getSource().cpus())).hasSize(Runtime.getRuntime().availableProcessors());
        var cpus = fx(() -> tab.timeline().getSource().cpus());
        javafx.scene.image.Image img = fx(() -> tab.timeline().snapshot(null, null));
        int coloured = 0;
        for (int i = 0; i < cpus.size(); i++) coloured += LiveRecordingTest.laneColours(img, cpus, i) > 2 ? 1 : 0;
        assertThat(coloured).as("CPU lanes with slices drawn while recording").isGreaterThan(0);
        long first = fx(() -> tab.document().summary().rowCounts().get("sched_slice"));
        waitFor("event count growth", () -> tab.document().summary().rowCounts().get("sched_slice") > first);
        fx(() -> { w.stopRecording(); return null; });
        waitFor("helper exit", () -> !w.helper().process().isAlive());
        waitFor("finished trace", () -> !tab.liveProperty().get());
        assertThat(fx(() -> w.lastAlert())).as("stopping is not an error").isNull();
        assertThat(fx(() -> tab.document().summary().endReason())).isNotEqualTo("recording");
        assertThat(fx(() -> tab.getText())).isEqualTo("live.ktrace");
        assertThat(fx(() -> w.status().getText())).doesNotContain("recording");
    }
}
