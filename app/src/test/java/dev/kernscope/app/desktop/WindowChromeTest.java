package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kernscope.storage.SyntheticTrace;
import dev.kernscope.views.model.TimeRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.VBox;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window around the views: its first size, the divider, the menus, the help and about dialogs. */
class WindowChromeTest extends WindowTestSupport {
    static Path trace;

    @BeforeAll
    static void fixture(@TempDir Path dir) throws Exception {
        trace = dir.resolve("t16.ktrace");
        SyntheticTrace.generate(trace, new SyntheticTrace.Params(3, 16, 2, 6, 2, 0.5, 40, true, true));
    }

    @Start
    void start(Stage stage) {
        open(stage);
    }


    MenuItem menuItem(String menu, String text) throws Exception {
        return fx(() -> {
            MenuBar mb = (MenuBar) ((VBox) w.root().getTop()).getChildren().get(0);
            List<MenuItem> all = new ArrayList<>();
            for (Menu m : mb.getMenus()) {
                if (!m.getText().equals(menu)) continue;
                if (m.getOnShowing() != null) m.getOnShowing().handle(null);
                collect(m, all);
            }
            for (MenuItem i : all) if (i.getText() != null && i.getText().startsWith(text)) return i;
            throw new AssertionError(menu + " › " + text + " not found in " + all.stream().map(MenuItem::getText).toList());
        });
    }

    static void collect(Menu m, List<MenuItem> out) {
        for (MenuItem i : m.getItems()) {
            out.add(i);
            if (i instanceof Menu sub) {
                if (sub.getOnShowing() != null) sub.getOnShowing().handle(null);
                collect(sub, out);
            }
        }
    }

    @Test
    void theFirstWindowUsesMostOfTheScreen() throws Exception {
        javafx.geometry.Rectangle2D s = fx(() -> Screen.getPrimary().getVisualBounds());
        assertThat(fx(() -> w.stage().getWidth())).isGreaterThanOrEqualTo(0.85 * s.getWidth()).isLessThanOrEqualTo(s.getWidth());
        assertThat(fx(() -> w.stage().getHeight())).isGreaterThanOrEqualTo(0.85 * s.getHeight()).isLessThanOrEqualTo(s.getHeight());
    }

    @Test
    void theDividerIsVisibleMovesAndIsRemembered(FxRobot robot) throws Exception {
        TraceTab t = openSettled(trace, 1280, 720);
        Node divider = fx(() -> t.split().lookup(".split-pane-divider"));
        Bounds b = fx(() -> divider.localToScreen(divider.getBoundsInLocal()));
        assertThat(b.getHeight()).as("a bar one can grab").isGreaterThanOrEqualTo(5);
        assertThat(b.getWidth()).isGreaterThan(1200);
        double before = fx(() -> t.timeline().getHeight());
        robot.moveTo(new Point2D(b.getCenterX(), b.getCenterY())).press(MouseButton.PRIMARY)
                .moveBy(0, -60).moveBy(0, -60).release(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        double after = fx(() -> t.timeline().getHeight());
        assertThat(before - after).as("the timeline gave the panels 120 px").isCloseTo(120, within(8.0));
        double pos = fx(() -> t.split().getDividerPositions()[0]);
        assertThat(new UiPrefs(prefs.node("ui")).divider()).isCloseTo(pos, within(0.005));
        // the next tab (and the next run) starts where the user left it
        fx(() -> { w.open(trace); return null; });
        waitFor("second tab", () -> w.tabs().size() == 2 && w.currentTab() != t);
        TraceTab t2 = fx(w::currentTab);
        waitFor("laid out", () -> t2.split().getHeight() > 0);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> t2.split().getDividerPositions()[0])).isCloseTo(pos, within(0.005));
        assertThat(fx(() -> t2.timeline().getHeight())).isCloseTo(after, within(2.0));
    }

    @Test
    void viewMenuZoomsAndRangeExportsSayWhatTheyExport() throws Exception {
        TraceTab t = openSettled(trace, 1280, 720);
        TimeRange all = fx(() -> t.selection().getBounds());
        fx(() -> { menuItem("View", "Zoom In").fire(); return null; });
        assertThat(fx(() -> t.selection().getVisibleRange().duration())).isCloseTo(all.duration() / 2, within(2L));
        assertThat(fx(() -> menuItem("View", "Zoom In").getAccelerator().getName())).isNotBlank();
        fx(() -> { menuItem("View", "Zoom to Fit").fire(); return null; });
        assertThat(fx(() -> t.selection().getVisibleRange())).isEqualTo(all);
        fx(() -> { menuItem("View", "Zoom to Selection").fire(); return null; });
        assertThat(fx(() -> w.status().getText())).contains("Select a range first");
        assertThat(menuItem("Export", "Slices of").getText()).isEqualTo("Slices of the Whole Trace (no range selected)…");
        TimeRange sel = new TimeRange(all.start() + 100_000_000, all.start() + 150_000_000);
        fx(() -> { t.selection().selectedRangeProperty().set(sel); menuItem("View", "Zoom to Selection").fire(); return null; });
        TimeRange v = fx(() -> t.selection().getVisibleRange());
        assertThat(v.start()).isLessThanOrEqualTo(sel.start()).isGreaterThan(sel.start() - 5_000_000);
        assertThat(v.end()).isGreaterThanOrEqualTo(sel.end()).isLessThan(sel.end() + 5_000_000);
        assertThat(menuItem("Export", "Slices of").getText()).isEqualTo("Slices of Selected Range (50.00 ms)…");
    }

    @Test
    void helpListsTheKeysAndAboutFitsItsText() throws Exception {
        fx(() -> { menuItem("Help", "Keyboard and Mouse").fire(); return null; });
        waitFor("keys", () -> w.lastAlert() != null && w.lastAlert().isShowing());
        List<String> texts = fx(() -> {
            List<String> l = new ArrayList<>();
            for (Node n : w.lastAlert().getDialogPane().getContent().lookupAll(".label")) l.add(((javafx.scene.control.Label) n).getText());
            return l;
        });
        assertThat(texts).contains("W / S,  + / −", "A / D", "P", "Esc", "Drag on the ruler,  Shift+drag", "0");
        fx(() -> { w.lastAlert().close(); return null; });

        fx(() -> { menuItem("Help", "About").fire(); return null; });
        waitFor("about", () -> w.lastAlert() != null && w.lastAlert().isShowing() && w.lastAlert().getTitle().contains("About"));
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.Label about = fx(() -> (javafx.scene.control.Label) w.lastAlert().getDialogPane().getContent());
        assertThat(fx(() -> about.getText().lines().count())).isGreaterThanOrEqualTo(5);
        // every line shows whole: the label got all the room its text asks for, so nothing is elided
        assertThat(fx(about::getHeight)).isGreaterThanOrEqualTo(fx(() -> about.prefHeight(-1)) - 0.5);
        assertThat(fx(about::getWidth)).isGreaterThanOrEqualTo(fx(() -> about.prefWidth(-1)) - 0.5);
        Bounds pane = fx(() -> w.lastAlert().getDialogPane().localToScreen(w.lastAlert().getDialogPane().getBoundsInLocal()));
        Bounds text = fx(() -> about.localToScreen(about.getBoundsInLocal()));
        assertThat(text.getMaxY()).isLessThanOrEqualTo(pane.getMaxY());
        fx(() -> { w.lastAlert().close(); return null; });
    }
}
