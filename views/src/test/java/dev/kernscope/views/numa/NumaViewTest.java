package dev.kernscope.views.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.views.FxTestSupport;
import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.fixtures.Fixtures;
import dev.kernscope.views.model.TraceSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.control.TableView;
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
    }
}
