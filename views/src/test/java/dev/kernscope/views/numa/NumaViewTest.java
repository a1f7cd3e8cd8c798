package dev.kernscope.views.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.views.FxTestSupport;
import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.fixtures.Fixtures;
import dev.kernscope.views.model.NumaModel;
import dev.kernscope.views.model.TraceSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumaViewTest {
    @Test
    void rendersHeatMapAndTableAndWritesPng(@TempDir Path dir) throws Exception {
        TraceSelection sel = new TraceSelection();
        NumaView v = ViewSnapshots.onFx(() -> new NumaView(sel, null));
        ViewSnapshots.onFx(() -> { sel.reset(0, 1_000_000); v.setModel(Fixtures.numa(1_000_000)); return null; });
        Path out = dir.resolve("numa.png");
        ViewSnapshots.toPng(v, 1000, 600, out);
        assertThat(Files.size(out)).isGreaterThan(5_000);
        WritableImage img = ViewSnapshots.snapshot(v, 1000, 600);
        // the hottest cell (cpu N0 → mem N0) is drawn in the heat-high colour
        Color high = ViewSnapshots.onFx(() -> v.styleColors().get("-ks-heat-high"));
        boolean found = false;
        for (int x = 550; x < 1000 && !found; x++) {
            for (int y = 40; y < 190 && !found; y++) found = FxTestSupport.close(img.getPixelReader().getColor(x, y), high);
        }
        assertThat(found).isTrue();
        TableView<?> table = (TableView<?>) v.lookup(".pages-table");
        assertThat(table.getItems()).hasSize(12);
        assertThat(table.getColumns()).hasSize(5); // PID, Process, Node 0, Node 1, Total
        // every column readable, the process name taking what is left of the 1000 px
        List<Double> widths = ViewSnapshots.onFx(() -> table.getColumns().stream().map(c -> c.getWidth()).toList());
        assertThat(widths.get(0)).isBetween(60.0, 100.0);
        assertThat(widths.subList(2, 5)).allMatch(w -> w >= 110, "page columns wide enough for 11 digits");
        assertThat(widths.stream().mapToDouble(Double::doubleValue).sum()).isBetween(950.0, 1000.0);
        assertThat(widths.get(1)).isGreaterThan(widths.get(0));
    }

    @Test
    void pageCountsHaveThousandsSeparatorsAndHoveringACellShowsItsNumbers() {
        TraceSelection sel = new TraceSelection();
        NumaView v = ViewSnapshots.onFx(() -> new NumaView(sel, null));
        ViewSnapshots.onFx(() -> { sel.reset(0, 1_000_000); v.setModel(Fixtures.numa(1_000_000)); return null; });
        ViewSnapshots.snapshot(v, 1000, 600);
        List<String> texts = ViewSnapshots.onFx(() -> {
            List<String> t = new java.util.ArrayList<>();
            for (Node n : v.lookupAll(".table-cell.numeric")) if (((TableCell<?, ?>) n).getText() != null) t.add(((TableCell<?, ?>) n).getText());
            return t;
        });
        assertThat(texts).isNotEmpty().allMatch(t -> t.matches("\\d{1,3}(,\\d{3})*"), "grouped by thousands");
        assertThat(texts).anyMatch(t -> t.contains(","));

        NumaViewSkin skin = ViewSnapshots.onFx(() -> (NumaViewSkin) v.getSkin());
        Canvas canvas = ViewSnapshots.onFx(() -> (Canvas) v.lookup("Canvas"));
        double[] at = ViewSnapshots.onFx(() -> skin.heatCellCenter(0, 1)); // cpu node 0 → memory node 1
        ViewSnapshots.onFx(() -> {
            canvas.fireEvent(new MouseEvent(MouseEvent.MOUSE_MOVED, at[0], at[1], at[0], at[1], MouseButton.NONE, 0,
                    false, false, false, false, false, false, false, false, false, false, null));
            return null;
        });
        assertThat(ViewSnapshots.onFx(() -> skin.heatCellAt(at[0], at[1]))).containsExactly(0, 1);
        List<String> lines = NumaViewSkin.heatLines(Fixtures.numa(1_000_000), 0, 1);
        // 1,904,224 of node 0's 10,324,337 accesses; 17,973,048 accesses in all
        assertThat(lines).containsExactly(
                "CPU node 0 → memory node 1  (remote, distance 20)",
                "Accesses  1,904,224",
                "Share     18.4% of CPU node 0's · 10.6% of all");
        WritableImage img = ViewSnapshots.snapshot(v, 1000, 600);
        Color card = ViewSnapshots.onFx(() -> v.styleColors().get("-ks-tooltip-background"));
        // the card opens below-right of the pointer, or to its left when it would leave the view
        boolean right = FxTestSupport.close(img.getPixelReader().getColor((int) at[0] + 20, (int) at[1] + 18), card);
        boolean left = FxTestSupport.close(img.getPixelReader().getColor((int) at[0] - 20, (int) at[1] + 18), card);
        assertThat(right || left).isTrue();
    }

    /** Eight nodes of 32 CPUs, two counters each, 30 processes. */
    static NumaModel eightNodes() {
        List<NumaModel.Node> nodes = new java.util.ArrayList<>();
        int[][] dist = new int[8][8];
        long[][] access = new long[8][8];
        List<NumaModel.Series> series = new java.util.ArrayList<>();
        for (int n = 0; n < 8; n++) {
            int[] cpus = new int[32];
            for (int k = 0; k < 32; k++) cpus[k] = n * 32 + k;
            nodes.add(new NumaModel.Node(n, cpus, 64L << 30, (10L + n) << 30));
            for (int j = 0; j < 8; j++) { dist[n][j] = n == j ? 10 : 21; access[n][j] = (n == j ? 90_000 : 7_000) + 31L * j; }
            for (String name : new String[]{"numa_hit/s", "numa_miss/s"}) {
                series.add(new NumaModel.Series(n, name, new long[]{0, 500_000}, new double[]{100 + n, 50}));
            }
        }
        List<NumaModel.ProcessPages> procs = new java.util.ArrayList<>();
        for (int p = 0; p < 30; p++) procs.add(new NumaModel.ProcessPages(p, 100 + p, "proc" + p, new long[]{p, 2, 3, 4, 5, 6, 7, 8}));
        return new NumaModel(nodes, dist, access, series, procs);
    }

    @Test
    void eightNodesScrollInsteadOfHidingAnythingUnderTheTable() {
        TraceSelection sel = new TraceSelection();
        NumaView v = ViewSnapshots.onFx(() -> new NumaView(sel, null));
        NumaModel m = eightNodes();
        ViewSnapshots.onFx(() -> { sel.reset(0, 1_000_000); v.setModel(m); return null; });
        ViewSnapshots.snapshot(v, 1280, 300);
        Canvas canvas = ViewSnapshots.onFx(() -> (Canvas) v.lookup("Canvas"));
        TableView<?> table = (TableView<?>) v.lookup(".pages-table");
        double canvasH = ViewSnapshots.onFx(canvas::getHeight);
        // the table starts below topology, matrix and every counter row, each at full height
        assertThat(ViewSnapshots.onFx(table::getLayoutY)).isGreaterThanOrEqualTo(canvasH);
        assertThat(canvasH).isGreaterThanOrEqualTo(190 + 24 + 16 * NumaViewSkin.SERIES_H);
        NumaViewSkin skin = ViewSnapshots.onFx(() -> (NumaViewSkin) v.getSkin());
        // the whole 8 × 8 matrix is on the canvas, with readable cells
        double[] last = ViewSnapshots.onFx(() -> skin.heatCellCenter(7, 7));
        double[] first = ViewSnapshots.onFx(() -> skin.heatCellCenter(0, 0));
        assertThat(last[1]).isLessThan(canvasH);
        assertThat(last[0]).isLessThan(1280);
        assertThat((last[0] - first[0]) / 7).isGreaterThanOrEqualTo(NumaViewSkin.CELL_MIN);
        // a 300 px panel shows the top and scrolls to the rest
        javafx.scene.control.ScrollPane sp = ViewSnapshots.onFx(() -> (javafx.scene.control.ScrollPane) v.lookup(".numa-scroll"));
        assertThat(ViewSnapshots.onFx(() -> sp.getContent().getBoundsInLocal().getHeight())).isGreaterThan(300);
        Node vbar = ViewSnapshots.onFx(() -> sp.lookup(".scroll-bar:vertical"));
        assertThat(ViewSnapshots.onFx(vbar::isVisible)).isTrue();
        assertThat(ViewSnapshots.onFx(() -> ((javafx.scene.layout.Region) vbar).getWidth())).isGreaterThanOrEqualTo(10);
        // the distances of a card wrap rather than trail off
        assertThat(NumaViewSkin.distanceLines(dist8(), 190)).hasSizeGreaterThan(1).allMatch(l -> l.length() * 6.5 <= 190 && !l.endsWith("…"));
    }

    private static int[] dist8() { return new int[]{10, 21, 21, 21, 21, 21, 21, 21}; }
}
