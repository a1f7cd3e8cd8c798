package dev.kernscope.app.desktop;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.prefs.Preferences;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

/**
 * What the headless main-window tests share: a window on throwaway preferences, and calls onto the FX thread.
 * TestFX looks for {@code @Start} only among a test class's own methods, so each test keeps a one-line
 * {@code @Start} that calls {@link #open(Stage)}.
 */
@ExtendWith(ApplicationExtension.class)
abstract class WindowTestSupport {
    MainWindow w;
    Preferences prefs;

    /** Shows a main window whose recent files and remembered layout live in a fresh preferences node. */
    void open(Stage stage) {
        prefs = Preferences.userRoot().node("dev/kernscope/test/" + System.nanoTime());
        w = new MainWindow(stage, new RecentFiles(prefs), new UiPrefs(prefs.node("ui")));
        stage.show();
    }

    @AfterEach
    void removePrefs() throws Exception {
        prefs.removeNode();
    }

    /** Puts the window at the screen's corner in the given size, opens {@code trace} and waits for every panel. */
    TraceTab openSettled(java.nio.file.Path trace, double width, double height) throws Exception {
        fx(() -> {
            w.stage().setX(0);
            w.stage().setY(0);
            w.stage().setWidth(width);
            w.stage().setHeight(height);
            w.open(trace);
            return null;
        });
        waitFor("tab", () -> w.currentTab() != null);
        TraceTab t = fx(w::currentTab);
        waitFor("panels", () -> t.panelsLoaded() > 0 && !w.busy() && !t.timeline().busyProperty().get());
        return t;
    }

    static void waitFor(String what, BooleanSupplier c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            WaitForAsyncUtils.waitForFxEvents();
            if (fx(c::getAsBoolean)) return;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
    }
}
