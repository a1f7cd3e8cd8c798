package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;

/**
 * The Record → Stop path of the UI on the direct (root) route, with stand-in helpers in place of the record-only
 * helper: one writes a trace and waits for its stdin to close (as {@code --stop-on-stdin-eof} does), one dies
 * with a message. The real helper along every route is {@code PrivilegeRoutesTest}'s.
 */
class RecordingTest extends WindowTestSupport {
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        open(stage);
    }

    @AfterEach
    void clearHelper() {
        System.clearProperty("kernscope.helper");
    }

    static Path script(Path dir, String body) throws Exception {
        Path s = dir.resolve("fake-helper");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty("kernscope.helper", s.toString());
        return s;
    }

    MenuItem stopItem() throws Exception {
        return fx(() -> w.root().lookupAll(".menu-bar").stream().map(MenuBar.class::cast)
                .flatMap(b -> b.getMenus().stream()).flatMap(m -> m.getItems().stream())
                .filter(i -> "Stop Recording".equals(i.getText())).findFirst().orElseThrow());
    }

    /** Stand-in helper: writes a trace to the -o file, then records until its stdin closes, and exits 0. */
    static void recordUntilStdinCloses(Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        script(dir, "out=$2\ntrap '' INT\n\"" + java + "\" -cp '" + System.getProperty("java.class.path")
                + "' dev.kernscope.app.Main gen -o \"$out\" --cpus 2 --seconds 1 >/dev/null </dev/null\n"
                + "cat >/dev/null\nexit 0\n");
    }

    @Test
    void recordsStopsAndKeepsTheFileOpen() throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "the direct route is taken only as root (CI)");
        recordUntilStdinCloses(dir);
        Path out = dir.resolve("rec.ktrace");
        fx(() -> { w.startRecording(new RecordingHelper.Options(out, null, null, null, 16)); return null; });
        waitFor("recorded tab", () -> w.currentTab() != null);
        assertThat(fx(() -> w.helper().process().isAlive())).isTrue();
        MenuItem stop = stopItem();
        fx(() -> { w.stopRecording(); return null; });
        waitFor("helper exit", () -> !w.helper().process().isAlive());
        waitFor("recording ended in the window", stop::isDisable);
        assertThat(fx(() -> w.lastAlert())).isNull();
        assertThat(fx(() -> w.currentTab().document().path())).isEqualTo(out);
    }

    @Test
    void aHelperThatDiesIsReportedWithItsLastStderrLine() throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "the direct route is taken only as root (CI)");
        script(dir, "echo 'attaching...' >&2\necho 'kernscope: cannot load sched.bpf.o: Operation not permitted (errno 1)' >&2\nexit 1\n");
        fx(() -> { w.startRecording(new RecordingHelper.Options(dir.resolve("x.ktrace"), 5, null, null, 16)); return null; });
        waitFor("error dialog", () -> w.lastAlert() != null && w.lastAlert().isShowing());
        assertThat(fx(() -> w.lastAlert().getHeaderText())).isEqualTo("The recorder stopped unexpectedly");
        assertThat(fx(() -> w.lastAlert().getContentText()))
                .isEqualTo("kernscope: cannot load sched.bpf.o: Operation not permitted (errno 1)");
        fx(() -> { w.lastAlert().close(); return null; });
    }

    /** Quitting the app (its window closes) closes the helper's stdin, which finishes the recording. */
    @Test
    void quittingTheAppStopsTheHelper() throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "the direct route is taken only as root (CI)");
        recordUntilStdinCloses(dir);
        Path out = dir.resolve("quit.ktrace");
        fx(() -> { w.startRecording(new RecordingHelper.Options(out, null, null, null, 16)); return null; });
        waitFor("recorded tab", () -> w.currentTab() != null);
        Process helper = fx(() -> w.helper().process());
        fx(() -> { w.stage().close(); return null; });
        assertThat(helper.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the helper ended").isTrue();
        assertThat(helper.exitValue()).isZero();
    }

    /** Ctrl+R then Enter records with the dialog's defaults; Ctrl+Shift+R, shown in the menu, stops. */
    @Test
    void ctrlREnterRecordsWithTheDefaultsAndCtrlShiftRStops(FxRobot robot) throws Exception {
        assumeTrue(RecordingHelper.isRoot(), "the direct route is taken only as root (CI)");
        recordUntilStdinCloses(dir);
        MenuItem stop = stopItem();
        assertThat(fx(() -> stop.getAccelerator().getDisplayText())).isEqualTo(
                fx(() -> KeyCombination.keyCombination("Shortcut+Shift+R").getDisplayText()));
        assertThat(fx(stop::isDisable)).as("nothing to stop yet").isTrue();
        fx(() -> { w.stage().requestFocus(); return null; });
        robot.press(KeyCode.CONTROL, KeyCode.R).release(KeyCode.R, KeyCode.CONTROL);
        waitFor("record dialog", () -> w.lastDialog() != null && w.lastDialog().isShowing());
        Path out = fx(() -> ((RecordDialog) w.lastDialog()).output());
        Files.deleteIfExists(out);
        robot.press(KeyCode.ENTER).release(KeyCode.ENTER);
        try {
            waitFor("recorded tab", () -> w.currentTab() != null);
            assertThat(fx(() -> w.helper().process().info().arguments().map(List::of).orElse(List.of())))
                    .containsSubsequence("-o", out.toString(), "--force", "-d", "10", "--buffer", "16", "--stop-on-stdin-eof");
            assertThat(fx(stop::isDisable)).isFalse();
            robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.R).release(KeyCode.R, KeyCode.SHIFT, KeyCode.CONTROL);
            waitFor("helper exit", () -> !w.helper().process().isAlive());
            waitFor("recording ended in the window", stop::isDisable);
            assertThat(fx(() -> w.lastAlert())).isNull();
        } finally {
            if (w.helper() != null) w.helper().process().destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
