package dev.kernscope.views.flame;

import static dev.kernscope.views.FxTestSupport.close;
import static dev.kernscope.views.FxTestSupport.snap;
import static dev.kernscope.views.FxTestSupport.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.fixtures.Fixtures;
import dev.kernscope.views.model.CallTree;
import dev.kernscope.views.model.FlameData;
import dev.kernscope.views.model.TraceSelection;
import javafx.scene.Scene;
import javafx.scene.canvas.Canvas;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class FlameGraphTest {
    FlameGraph fg;

    @Start
    void start(Stage stage) {
        fg = new FlameGraph(new TraceSelection(), null);
        fg.setData(FlameData.of(Fixtures.smallStacks()));
        stage.setScene(new Scene(fg, 1000, 300));
        stage.show();
    }

    private FlameGraphSkin skin() { return (FlameGraphSkin) fg.getSkin(); }

    private void settle() { waitUntil(() -> !fg.busyProperty().get() && skin().layoutResult() != null); }

    private Canvas canvas() { return (Canvas) fg.lookupAll("Canvas").iterator().next(); }

    private int rect(String name) {
        FlameLayout l = skin().layoutResult();
        for (int i = 0; i < l.size; i++) if (l.merged[i] == 0 && l.tree.name(l.node[i]).equals(name)) return i;
        throw new AssertionError(name + " not laid out");
    }

    @Test
    void hottestFrameIsWidestOnScreen() {
        settle();
        FlameLayout l = skin().layoutResult();
        int compute = rect("compute"), io = rect("do_io");
        assertThat(l.w[compute]).isGreaterThan(l.w[io]);
        WritableImage img = snap(canvas());
        Color col = ViewSnapshots.onFx(() -> skin().frameColor(l.tree, l.node[compute]));
        int y = (int) (double) ViewSnapshots.onFx(() -> skin().rowY(l.row[compute])) + 2;
        int inside = (int) (l.x[compute] + l.w[compute] - 3);
        assertThat(close(img.getPixelReader().getColor(inside, y), col)).isTrue();
        assertThat(close(img.getPixelReader().getColor((int) (l.x[compute] + l.w[compute] + 3), y), col)).isFalse();
    }

    @Test
    void invertedFlipsRootFromBottomToTop() {
        settle();
        double h = ViewSnapshots.onFx(() -> canvas().getHeight());
        Color root = ViewSnapshots.onFx(() -> fg.styleColors().get("-ks-root"));
        WritableImage normal = snap(canvas());
        assertThat(close(normal.getPixelReader().getColor(500, (int) h - 5), root)).isTrue();
        assertThat(close(normal.getPixelReader().getColor(500, 5), root)).isFalse();
        ViewSnapshots.onFx(() -> { fg.invertedProperty().set(true); return null; });
        settle();
        waitUntil(() -> skin().layoutResult().tree.inverted());
        WritableImage inv = snap(canvas());
        assertThat(close(inv.getPixelReader().getColor(500, 5), root)).isTrue();
        assertThat(close(inv.getPixelReader().getColor(500, (int) h - 5), root)).isFalse();
        FlameLayout l = skin().layoutResult();
        assertThat(l.tree.name(l.node[rect("hash_block")])).isEqualTo("hash_block");
        assertThat(l.row[rect("hash_block")]).isEqualTo(1); // a leaf function is a root child bottom-up
    }

    @Test
    void searchHighlightsMatchesAndReportsShare() {
        settle();
        ViewSnapshots.onFx(() -> { fg.searchProperty().set("comp"); return null; });
        waitUntil(() -> !fg.busyProperty().get() && !Double.isNaN(fg.matchShareProperty().get()));
        assertThat(fg.matchShareProperty().get()).isCloseTo(0.6, within(1e-9));
        FlameLayout l = skin().layoutResult();
        int compute = rect("compute");
        assertThat(l.match[compute]).isTrue();
        WritableImage img = snap(canvas());
        Color match = ViewSnapshots.onFx(() -> fg.styleColors().get("-ks-match"));
        int y = (int) (double) ViewSnapshots.onFx(() -> skin().rowY(l.row[compute])) + 2;
        assertThat(close(img.getPixelReader().getColor((int) l.x[compute] + 4, y), match)).isTrue();
        int io = rect("do_io");
        assertThat(close(img.getPixelReader().getColor((int) l.x[io] + 4, y), match)).isFalse();
        assertThat(fg.lookupAll(".match-label").iterator().next()).extracting(n -> ((javafx.scene.control.Label) n).getText())
                .asString().contains("60.0%");
    }

    @Test
    void clickZoomsAndBreadcrumbReturns(FxRobot robot) {
        settle();
        FlameLayout l = skin().layoutResult();
        int io = rect("do_io");
        double y = ViewSnapshots.onFx(() -> skin().rowY(l.row[io])) + 5;
        robot.clickOn(ViewSnapshots.onFx(() -> canvas().localToScreen(l.x[io] + 5, y)));
        settle();
        waitUntil(() -> skin().layoutResult().zoom == fg.zoomNodeProperty().get());
        CallTree t = skin().layoutResult().tree;
        assertThat(t.name(fg.zoomNodeProperty().get())).isEqualTo("do_io");
        FlameLayout z = skin().layoutResult();
        int read = rect("__x64_sys_read");
        assertThat(z.w[read]).isCloseTo(1000, within(1e-6));
        robot.clickOn("all");
        waitUntil(() -> fg.zoomNodeProperty().get() == CallTree.ROOT);
    }

    /** A stack 60 frames deep: far more than a 300 px graph shows at once. */
    static FlameData deep() {
        dev.kernscope.views.model.FrameTable ft = new dev.kernscope.views.model.FrameTable();
        dev.kernscope.views.model.CallTreeBuilder b = new dev.kernscope.views.model.CallTreeBuilder(ft);
        int[] stack = new int[60];
        for (int i = 0; i < stack.length; i++) stack[i] = ft.intern("frame_" + i, dev.kernscope.views.model.FrameKind.USER);
        b.addStack(stack, 100);
        b.addStack(new int[]{stack[0], ft.intern("shallow", dev.kernscope.views.model.FrameKind.USER)}, 50);
        return FlameData.of(b);
    }

    @Test
    void deepStacksScrollToTheirDeepestFrame(FxRobot robot) {
        ViewSnapshots.onFx(() -> { fg.setData(deep()); return null; });
        settle();
        waitUntil(() -> skin().layoutResult().maxRow() == 60);
        var bar = ViewSnapshots.onFx(() -> (javafx.scene.control.ScrollBar) fg.lookup(".scroll-bar"));
        assertThat(ViewSnapshots.onFx(bar::isVisible)).as("a scroll bar when 61 rows do not fit").isTrue();
        double h = ViewSnapshots.onFx(() -> canvas().getHeight());
        double w = ViewSnapshots.onFx(() -> canvas().getWidth());
        assertThat(w).as("frames leave room for the bar").isLessThan(1000);
        FlameLayout l = skin().layoutResult();
        int deepest = rect("frame_59");
        assertThat(ViewSnapshots.onFx(() -> skin().rowY(l.row[deepest]))).as("deepest frame above the view at first").isLessThan(0);
        assertThat(ViewSnapshots.onFx(() -> skin().rowY(0))).as("root at the bottom").isEqualTo(h - FlameGraphSkin.ROW_H);
        // the wheel turned away from the user (positive delta) brings deeper frames down, up to the deepest
        for (int i = 0; i < 40; i++) ViewSnapshots.onFx(() -> { canvas().fireEvent(wheel(40)); return null; });
        waitUntil(() -> skin().rowY(l.row[deepest]) >= 0);
        double top = ViewSnapshots.onFx(() -> skin().rowY(l.row[deepest]));
        assertThat(top).isBetween(0.0, FlameGraphSkin.ROW_H);
        WritableImage img = snap(canvas());
        Color col = ViewSnapshots.onFx(() -> skin().frameColor(l.tree, l.node[deepest]));
        assertThat(close(img.getPixelReader().getColor(300, (int) top + 5), col)).as("the deepest frame is drawn").isTrue();
        // and a click there hits it
        robot.clickOn(ViewSnapshots.onFx(() -> canvas().localToScreen(300, top + 5)));
        waitUntil(() -> fg.zoomNodeProperty().get() == l.node[deepest]);
    }

    static javafx.scene.input.ScrollEvent wheel(double dy) {
        return new javafx.scene.input.ScrollEvent(javafx.scene.input.ScrollEvent.SCROLL, 300, 100, 300, 100, false, false,
                false, false, false, false, 0, dy, 0, dy, javafx.scene.input.ScrollEvent.HorizontalTextScrollUnits.NONE, 0,
                javafx.scene.input.ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null);
    }

    @Test
    void hoverSaysTimeAndSamplesAndTheHeaderNamesTheThread() {
        settle();
        ViewSnapshots.onFx(() -> {
            fg.threadNamesProperty().set(u -> u == 104 ? "postgres [4242]" : null);
            fg.getSelection().selectedUtidProperty().set(104);
            return null;
        });
        String scope = ViewSnapshots.onFx(() -> ((javafx.scene.control.Label) fg.lookup(".scope-label")).getText());
        assertThat(scope).contains("postgres [4242]").doesNotContain("utid");
        ViewSnapshots.onFx(() -> { fg.searchProperty().set("do_io"); return null; });
        waitUntil(() -> !fg.busyProperty().get() && !Double.isNaN(fg.matchShareProperty().get()));
        String match = ViewSnapshots.onFx(() -> ((javafx.scene.control.Label) fg.lookup(".match-label")).getText());
        assertThat(match).startsWith("1 match ·");
    }
}
