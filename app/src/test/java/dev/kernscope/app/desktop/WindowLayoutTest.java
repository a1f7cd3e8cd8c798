package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.SyntheticTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The main window at common screen sizes with 2 to 256 CPUs: nothing wider than the window, nothing cut off. */
class WindowLayoutTest extends WindowTestSupport {
    static Path dir;
    static final Path SHOTS = Path.of("target", "ui");

    @BeforeAll
    static void traces(@TempDir Path d) throws Exception {
        dir = d;
        Files.createDirectories(SHOTS);
    }

    static Path trace(int cpus) throws Exception {
        Path p = dir.resolve("cpus" + cpus + ".ktrace");
        if (!Files.exists(p)) {
            int nodes = cpus >= 64 ? 8 : cpus >= 4 ? 2 : 1;
            SyntheticTrace.generate(p, new SyntheticTrace.Params(7, cpus, nodes, 6, 2, 0.5, 40, true, true));
        }
        return p;
    }

    @Start
    void start(Stage stage) {
        open(stage);
    }

    @ParameterizedTest
    @CsvSource({"1280,720,2", "1280,720,16", "1280,720,64", "1280,720,256", "1920,1080,2", "1920,1080,16",
            "1920,1080,64", "1920,1080,256"})
    void nothingIsWiderThanTheWindow(int width, int height, int cpus) throws Exception {
        TraceTab tab = openSettled(trace(cpus), width, height);
        for (int i = 0; i < 4; i++) {
            int k = i;
            fx(() -> { tab.panels().getSelectionModel().select(k); return null; });
            WaitForAsyncUtils.waitForFxEvents();
            Thread.sleep(150);
            fx(() -> Screenshots.png(w.root(), 1, SHOTS.resolve("layout-" + width + "x" + height + "-" + cpus + "-" + k + ".png")));
            List<String> out = fx(() -> outside(w.root()));
            assertThat(out).as("panel %d at %dx%d with %d CPUs", k, width, height, cpus).isEmpty();
            if (k == 3) { // the latency chart keeps room for its bars, not only its title
                double plot = fx(() -> tab.currentPanel().lookup(".chart-plot-background").getLayoutBounds().getHeight());
                assertThat(plot).as("latency plot height").isGreaterThan(80);
            }
        }
        // the ruler's last label is a time inside the trace, near its end
        var skin = fx(() -> (dev.kernscope.views.timeline.TimelineViewSkin) tab.timeline().getSkin());
        long last = fx(skin::lastRulerTick), step = fx(skin::lastRulerStep);
        var b = fx(() -> tab.selection().getBounds());
        assertThat(last).as("last ruler label").isLessThanOrEqualTo(b.end()).isGreaterThan(b.end() - 2 * step);
        // the divider moves, and the layout still fits
        double h0 = fx(() -> tab.timeline().getHeight());
        fx(() -> { tab.split().setDividerPositions(0.7); return null; });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> tab.timeline().getHeight())).as("timeline after the divider moved").isGreaterThan(h0 + 20);
        assertThat(fx(() -> outside(w.root()))).isEmpty();
    }

    /**
     * Visible nodes whose bounds leave the scene (a tolerance of one pixel for rounding). What a clipping node
     * (a scroll pane's viewport, a table's rows) holds beyond its clip is scrolled, not cut: only the clipping node
     * itself has to stay inside.
     */
    static List<String> outside(Parent root) {
        double sw = root.getScene().getWidth(), sh = root.getScene().getHeight();
        List<String> out = new ArrayList<>();
        walk(root, n -> {
            Bounds b = n.localToScene(n.getLayoutBounds());
            if (b.getMaxX() > sw + 1 || b.getMaxY() > sh + 1 || b.getMinX() < -1 || b.getMinY() < -1) {
                out.add(n.getClass().getSimpleName() + n.getStyleClass() + " " + b);
            }
        });
        return out;
    }

    static void walk(Node n, java.util.function.Consumer<Node> f) {
        if (!n.isVisible()) return;
        f.accept(n);
        if (n instanceof Parent p && n.getClip() == null) for (Node c : p.getChildrenUnmodifiable()) walk(c, f);
    }
}
