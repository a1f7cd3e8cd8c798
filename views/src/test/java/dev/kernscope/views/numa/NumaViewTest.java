package dev.kernscope.views.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.views.FxTestSupport;
import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.fixtures.Fixtures;
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
}
