package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.Bookmarks;
import dev.kernscope.storage.SyntheticTrace;
import dev.kernscope.views.model.TimeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Critical path and Bookmarks panels on a synthetic trace: tracks drawn in the state colours, table, bookmarks saved. */
class AnalysisPanelTest extends WindowTestSupport {
    static final Path SHOTS = Path.of("target", "screenshots");
    static Path trace;

    @BeforeAll
    static void fixture(@TempDir Path dir) throws Exception {
        trace = dir.resolve("a.ktrace");
        SyntheticTrace.generate(trace, SyntheticTrace.Params.defaults(4, 1));
        Files.createDirectories(SHOTS);
    }

    @Start
    void start(Stage stage) {
        open(stage);
    }

    @Test
    void selectedThreadGetsItsStatesCriticalPathAndTable() throws Exception {
        TraceTab tab = openSettled(trace, 1280, 800);
        AnalysisPanel p = fx(tab::analysisPanel);
        long before = fx(p::loaded);
        fx(() -> {
            tab.panels().getSelectionModel().select(4);
            long s = SyntheticTrace.START_TS;
            tab.selection().selectedRangeProperty().set(new TimeRange(s + 100_000_000, s + 130_000_000));
            tab.selection().selectedUtidProperty().set(2);
            return null;
        });
        waitFor("critical path", () -> p.loaded() > before + 0 && p.track().getRows() != null);
        WaitForAsyncUtils.waitForFxEvents();
        fx(() -> Screenshots.png(w.root(), 1, SHOTS.resolve("critical-path-panel.png")));
        assertThat(fx(() -> p.table().getItems().size())).isGreaterThanOrEqualTo(1);
        // the thread, its path, and the other threads of its process (synthetic processes have four)
        assertThat(fx(() -> p.track().getRows().rows())).hasSize(5);
        WritableImage img = fx(() -> p.track().snapshot(null, null));
        Color running = fx(() -> p.track().styleColors().get("-ks-running"));
        int hits = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 160; x < img.getWidth(); x++) {
                Color c = img.getPixelReader().getColor(x, y);
                if (Math.abs(c.getRed() - running.getRed()) < 0.03 && Math.abs(c.getGreen() - running.getGreen()) < 0.03
                        && Math.abs(c.getBlue() - running.getBlue()) < 0.03) hits++;
            }
        }
        assertThat(hits).as("running spans drawn").isGreaterThan(100);
        // hovering a block that has an off-CPU stack shows its frames
        boolean hovered = fx(() -> {
            var rows = p.track().getRows();
            var row = rows.rows().get(0);
            for (int i = 0; i < row.size(); i++) {
                if (row.detail()[i] == null || !row.detail()[i].contains("\n")) continue;
                double w = p.track().getWidth() - 150 - 8;
                double x = 150 + ((row.start()[i] + row.end()[i]) / 2.0 - rows.from()) * w / (rows.to() - rows.from());
                javafx.scene.Node canvas = p.track().getChildrenUnmodifiable().get(0);
                javafx.geometry.Point2D at = canvas.localToScene(x, 39);
                javafx.event.Event.fireEvent(canvas, new javafx.scene.input.MouseEvent(javafx.scene.input.MouseEvent.MOUSE_MOVED,
                        at.getX(), at.getY(), 0, 0, javafx.scene.input.MouseButton.NONE, 0, false, false, false, false, false, false, false,
                        false, false, false, null));
                return true;
            }
            return false;
        });
        if (hovered) fx(() -> Screenshots.png(p.track(), 1, SHOTS.resolve("critical-path-hover.png")));
        assertThat(fx(() -> p.flame().getData())).as("stacks on the path").isNotNull();
        fx(() -> { p.showStacks(); return null; });
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(300);
        fx(() -> Screenshots.png(w.root(), 1, SHOTS.resolve("critical-path-stacks.png")));
    }

    @Test
    void bookmarksAreAddedFromTheSelectionAndSavedInTheTrace(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("b.ktrace");
        Files.copy(trace, copy);
        TraceTab tab = openSettled(copy, 1280, 800);
        BookmarksPanel b = fx(tab::bookmarksPanel);
        waitFor("bookmarks read", () -> b.loaded() > 0);
        long n = fx(b::loaded);
        fx(() -> {
            tab.panels().getSelectionModel().select(6);
            long s = SyntheticTrace.START_TS;
            tab.selection().selectedRangeProperty().set(new TimeRange(s + 1_000_000, s + 3_000_000));
            b.nameField().setText("slow part");
            b.add();
            return null;
        });
        waitFor("bookmark saved", () -> b.loaded() > n && b.table().getItems().size() == 1);
        fx(() -> Screenshots.png(w.root(), 1, SHOTS.resolve("bookmarks-panel.png")));
        assertThat(Bookmarks.of(copy).list()).singleElement().satisfies(bm -> {
            assertThat(bm.name()).isEqualTo("slow part");
            assertThat(bm.dur()).isEqualTo(2_000_000);
            assertThat(bm.inTrace()).isTrue();
        });
    }

    @Test
    void twoRangesCompareAsADifferentialFlameGraph() throws Exception {
        TraceTab tab = openSettled(trace, 1280, 800);
        ComparePanel c = fx(tab::comparePanel);
        long s = SyntheticTrace.START_TS;
        fx(() -> {
            tab.panels().getSelectionModel().select(5);
            c.setBaselineRange(new TimeRange(s, s + 300_000_000));
            tab.selection().selectedRangeProperty().set(new TimeRange(s + 500_000_000, s + 900_000_000));
            return null;
        });
        waitFor("differential flame graph", () -> c.loaded() > 1 && c.graph().getData() != null);
        WaitForAsyncUtils.waitForFxEvents();
        fx(() -> Screenshots.png(w.root(), 1, SHOTS.resolve("compare-panel.png")));
        var d = fx(() -> c.graph().getData());
        assertThat(d.size()).isGreaterThan(5);
        assertThat(d.totalA()[0]).isPositive();
        assertThat(d.totalB()[0]).isPositive();
        waitFor("threads A/B", () -> !c.abTable().getItems().isEmpty());
        assertThat(fx(() -> c.abTable().getItems().stream().anyMatch(r -> r.runA() > 0 && r.runB() > 0))).isTrue();
    }
}
