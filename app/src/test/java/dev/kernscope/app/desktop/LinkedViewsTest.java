package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.SyntheticTrace;
import java.nio.file.Path;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;

/**
 * Views linked both ways: a thread chosen in the Threads table is the selected thread of the timeline (its slices
 * stay lit, the others dim) and of the flame graph; a thread chosen elsewhere selects its row; the filter box dims
 * the timeline's other threads too.
 */
class LinkedViewsTest extends WindowTestSupport {
    @Start
    void start(Stage stage) {
        open(stage);
    }

    /** Pixels that differ between two snapshots of the same size. */
    static int changed(Image a, Image b) {
        PixelReader pa = a.getPixelReader(), pb = b.getPixelReader();
        int n = 0;
        for (int y = 0; y < a.getHeight(); y += 2) for (int x = 0; x < a.getWidth(); x += 2) if (pa.getArgb(x, y) != pb.getArgb(x, y)) n++;
        return n;
    }

    Image settledTimeline(TraceTab t) throws Exception {
        waitFor("timeline", () -> !t.timeline().busyProperty().get());
        return fx(() -> t.timeline().snapshot(null, null));
    }

    @Test
    void theThreadsTableSelectsInTheTimelineAndFlameGraphAndBack(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("linked.ktrace");
        SyntheticTrace.generate(trace, SyntheticTrace.Params.defaults(4, 2));
        TraceTab t = openSettled(trace, 1280, 720);
        fx(() -> { t.panels().getSelectionModel().select(2); return null; });
        waitFor("threads table", t::threadsCurrent);
        Image before = settledTimeline(t);

        Model.ThreadSummary row = fx(() -> t.threadsTable().table().getItems().get(0));
        fx(() -> { t.threadsTable().table().getSelectionModel().select(row); return null; });
        assertThat(fx(() -> t.selection().getSelectedUtid())).isEqualTo(row.utid());
        assertThat(fx(() -> t.flameFilter().tid())).as("the flame graph follows").isEqualTo(row.tid());
        Image highlighted = settledTimeline(t);
        fx(() -> Screenshots.png(t.timeline(), 1, Path.of("target", "ui", "linked-highlight.png")));
        assertThat(changed(before, highlighted)).as("other threads dimmed in the lanes").isGreaterThan(500);

        // the other way: a thread selected elsewhere (the timeline) selects its row
        Model.ThreadSummary other = fx(() -> t.threadsTable().table().getItems().get(1));
        fx(() -> { t.selection().selectedUtidProperty().set(other.utid()); return null; });
        assertThat(fx(() -> t.threadsTable().table().getSelectionModel().getSelectedItem())).isEqualTo(other);

        // the filter box dims the lanes of the threads it leaves out
        fx(() -> { t.clearSelection(); return null; });
        Image all = settledTimeline(t);
        fx(() -> { t.searchField().setText(other.processName()); return null; });
        assertThat(fx(() -> t.timeline().shownThreadsProperty().get().get(other.utid()))).isTrue();
        assertThat(fx(() -> t.timeline().shownThreadsProperty().get().cardinality()))
                .as("only that process's threads").isLessThan(fx(() -> t.document().source().threads().size()));
        Image filtered = settledTimeline(t);
        fx(() -> Screenshots.png(t.timeline(), 1, Path.of("target", "ui", "linked-filter.png")));
        assertThat(changed(all, filtered)).as("filtered-out threads dimmed").isGreaterThan(500);
        fx(() -> { t.searchField().clear(); return null; });
        assertThat(fx(() -> t.timeline().shownThreadsProperty().get())).isNull();
    }
}
