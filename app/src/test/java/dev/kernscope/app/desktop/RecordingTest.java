package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;

/**
 * The Record → Stop path of the UI on the direct (root) route, with stand-in helpers in place of the tracer's
 * record command (not on main yet): one writes a trace and waits for SIGINT, one dies with a message.
 */
class RecordingTest extends WindowTestSupport {
    @Start
    void start(Stage stage) {
        open(stage);
    }

    @AfterEach
    void clearLauncher() {
        System.clearProperty("kernscope.launcher");
    }

    static Path script(Path dir, String body) throws Exception {
        Path s = dir.resolve("fake-kernscope");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty("kernscope.launcher", s.toString());
        return s;
    }

    @Test
    void recordsStopsAndKeepsTheFileOpen(@TempDir Path dir) throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "the direct route is taken only as root (CI)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // stand-in helper: writes a trace to the -o file, then records "until stopped" and exits 0 on SIGINT
        script(dir, "out=$3\ntrap 'exit 0' INT TERM\n\"" + java + "\" -cp '" + System.getProperty("java.class.path")
                + "' dev.kernscope.app.Main gen -o \"$out\" --cpus 2 --seconds 1 >/dev/null\n"
                + "while :; do sleep 0.1; done\n");
        Path out = dir.resolve("rec.ktrace");
        fx(() -> { w.startRecording(new RecordingHelper.Options(out, null, null, null, 16)); return null; });
        waitFor("recorded tab", () -> w.currentTab() != null);
        assertThat(fx(() -> w.helper().process().isAlive())).isTrue();
        fx(() -> { w.stopRecording(); return null; });
        waitFor("helper exit", () -> !w.helper().process().isAlive());
        waitFor("finished status", () -> w.status().getText().startsWith("Recording finished") || w.busy());
        assertThat(fx(() -> w.lastAlert())).isNull();
        assertThat(fx(() -> w.currentTab().document().path())).isEqualTo(out);
    }

    @Test
    void aHelperThatDiesIsReportedWithItsLastStderrLine(@TempDir Path dir) throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "the direct route is taken only as root (CI)");
        script(dir, "echo 'attaching...' >&2\necho 'kernscope: cannot load sched.bpf.o: Operation not permitted (errno 1)' >&2\nexit 1\n");
        fx(() -> { w.startRecording(new RecordingHelper.Options(dir.resolve("x.ktrace"), 5, null, null, 16)); return null; });
        waitFor("error dialog", () -> w.lastAlert() != null && w.lastAlert().isShowing());
        assertThat(fx(() -> w.lastAlert().getHeaderText())).isEqualTo("The recorder stopped unexpectedly");
        assertThat(fx(() -> w.lastAlert().getContentText()))
                .isEqualTo("kernscope: cannot load sched.bpf.o: Operation not permitted (errno 1)");
        fx(() -> { w.lastAlert().close(); return null; });
    }
}
