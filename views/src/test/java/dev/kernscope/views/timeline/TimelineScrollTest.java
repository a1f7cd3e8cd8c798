package dev.kernscope.views.timeline;

import static dev.kernscope.views.FxTestSupport.close;
import static dev.kernscope.views.FxTestSupport.snap;
import static dev.kernscope.views.FxTestSupport.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.fixtures.Fixtures;
import dev.kernscope.views.model.CounterBlock;
import dev.kernscope.views.model.CpuInfo;
import dev.kernscope.views.model.EventBlock;
import dev.kernscope.views.model.InMemoryTimelineSource;
import dev.kernscope.views.model.SliceBlock;
import dev.kernscope.views.model.ThreadInfo;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TimelineSource;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javafx.geometry.Point2D;
import javafx.geometry.VerticalDirection;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A 64-CPU, 8-node machine in a 720 px tall view: the CPU lanes scroll, and only lanes on screen are read. */
@ExtendWith(ApplicationExtension.class)
class TimelineScrollTest {
    static final int W = 1280, H = 720, CPUS = 64, NODES = 8;
    static final long DUR = 50_000_000L;
    TraceSelection sel;
    TimelineView view;
    CountingSource src;

    /** Records which CPUs the view asked slices for. */
    static final class CountingSource implements TimelineSource {
        final TimelineSource d;
        final Set<Integer> asked = ConcurrentHashMap.newKeySet();

        CountingSource(TimelineSource d) { this.d = d; }

        @Override public List<CpuInfo> cpus() { return d.cpus(); }
        @Override public long traceStart() { return d.traceStart(); }
        @Override public long traceEnd() { return d.traceEnd(); }
        @Override public ThreadInfo thread(int utid) { return d.thread(utid); }
        @Override public SliceBlock slices(int cpu, long from, long to, long npp) {
            if (from != d.traceStart() || to != d.traceEnd()) asked.add(cpu); // not the whole-trace overview
            return d.slices(cpu, from, to, npp);
        }
        @Override public SliceBlock threadSlices(int utid, long from, long to, long npp) { return d.threadSlices(utid, from, to, npp); }
        @Override public CounterBlock runQueue(int cpu, long from, long to, long npp) { return d.runQueue(cpu, from, to, npp); }
        @Override public EventBlock wakeups(int utid, long from, long to) { return d.wakeups(utid, from, to); }
        @Override public EventBlock migrations(long from, long to, long npp) { return d.migrations(from, to, npp); }
        @Override public EventBlock lostEvents(long from, long to) { return d.lostEvents(from, to); }
    }

    @Start
    void start(Stage stage) {
        InMemoryTimelineSource mem = Fixtures.timeline(CPUS, NODES, 200, DUR, 5);
        src = new CountingSource(mem);
        sel = new TraceSelection();
        view = new TimelineView(sel, null);
        view.setSource(src);
        stage.setScene(new Scene(view, W, H));
        stage.show();
    }

    private TimelineViewSkin skin() { return (TimelineViewSkin) view.getSkin(); }

    private void settle() { waitUntil(() -> !view.busyProperty().get()); }

    private Point2D screen(double x, double y) { return ViewSnapshots.onFx(() -> view.localToScreen(x, y)); }

    private double scrollY() { return ViewSnapshots.onFx(() -> skin().scrollY()); }

    @Test
    void endShowsTheLastCpuAtItsPlaceWithItsSlicesDrawn(FxRobot robot) {
        settle();
        assertThat(src.asked).doesNotContain(CPUS - 1).contains(0);
        robot.clickOn(screen(20, H - 4)); // focus, in the gutter
        robot.type(KeyCode.END);
        settle();

        double top = TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H;
        double content = NODES * TimelineLayout.NODE_H + CPUS * TimelineLayout.CPU_PITCH;
        double max = top + content - H;
        assertThat(scrollY()).isEqualTo(Math.round(max));
        TimelineLayout.Row last = ViewSnapshots.onFx(() -> skin().layout().cpuRow(CPUS - 1));
        double expectedY = top + NODES * TimelineLayout.NODE_H + (CPUS - 1) * TimelineLayout.CPU_PITCH
                + TimelineLayout.GAP - Math.round(max);
        assertThat(last.y()).isEqualTo(expectedY);
        assertThat(last.bottom()).isLessThanOrEqualTo(H);

        // pixels: slices of CPU 63 wider than 4 px are drawn in their thread's colour at that y
        assertSlicesDrawn(CPUS - 1, last.y() + 2, 3);
        // the header of the node whose lanes are at the top stays visible (sticky): 662 px of lanes show
        // nodes 7 and 6 (276 px each) and the last lanes of node 5
        TimelineLayout.Row sticky = ViewSnapshots.onFx(() -> skin().layout().stickyHeader());
        int topCpu = ViewSnapshots.onFx(() -> skin().layout().visibleCpus(H)[0]);
        assertThat(sticky.node()).isEqualTo(5).isEqualTo(topCpu * NODES / CPUS);
        assertThat(sticky.y()).isEqualTo(top);
        // lanes far above the viewport were not read for this window
        src.asked.clear();
        ViewSnapshots.onFx(() -> { sel.setVisibleRange(DUR / 4, DUR / 2, 1); return null; });
        settle();
        assertThat(src.asked).contains(CPUS - 1).doesNotContain(0, 10, 20);
    }

    /** Up to {@code n} slices of {@code cpu} wider than 4 px show their thread's colour at {@code y}; at least one. */
    private void assertSlicesDrawn(int cpu, double y, int n) {
        WritableImage img = snap(view);
        double plotW = ViewSnapshots.onFx(() -> view.getWidth()) - TimelineLayout.GUTTER - 12; // minus the scroll bar
        SliceBlock b = src.d.slices(cpu, 0, DUR, 1);
        int checked = 0;
        for (int i = 0; i < b.size && checked < n; i++) {
            double x0 = TimelineLayout.GUTTER + b.ts[i] * plotW / DUR, x1 = TimelineLayout.GUTTER + (b.ts[i] + b.dur[i]) * plotW / DUR;
            if (x1 - x0 < 5) continue;
            int utid = b.utid[i];
            Color expected = ViewSnapshots.onFx(() -> skin().threadColor(utid, src.thread(utid)));
            Color got = img.getPixelReader().getColor((int) ((x0 + x1) / 2), (int) y);
            assertThat(close(got, expected)).as("slice %d of CPU %d at x %.0f", i, cpu, (x0 + x1) / 2).isTrue();
            checked++;
        }
        assertThat(checked).isPositive();
    }

    @Test
    void keysAndShiftWheelScrollWhilePlainWheelStillZooms(FxRobot robot) {
        settle();
        robot.clickOn(screen(20, H - 4));
        robot.type(KeyCode.DOWN);
        assertThat(scrollY()).isEqualTo(TimelineLayout.CPU_PITCH);
        robot.type(KeyCode.UP);
        assertThat(scrollY()).isZero();
        robot.type(KeyCode.PAGE_DOWN);
        double page = scrollY();
        assertThat(page).isGreaterThan(H / 2.0);
        robot.type(KeyCode.HOME);
        assertThat(scrollY()).isZero();

        TimeRange before = sel.getVisibleRange();
        robot.moveTo(screen(TimelineLayout.GUTTER + 500, 300));
        robot.press(KeyCode.SHIFT);
        robot.scroll(3, VerticalDirection.UP);
        robot.release(KeyCode.SHIFT);
        double afterShift = scrollY();
        assertThat(afterShift).isNotZero();
        assertThat(sel.getVisibleRange()).isEqualTo(before); // shift+wheel does not zoom

        robot.moveTo(screen(40, 300)); // over the lane names: the wheel scrolls
        robot.scroll(3, VerticalDirection.UP);
        assertThat(scrollY()).isNotEqualTo(afterShift);
        assertThat(sel.getVisibleRange()).isEqualTo(before);

        robot.moveTo(screen(TimelineLayout.GUTTER + 500, 300)); // over the lanes: the wheel zooms
        double y = scrollY();
        robot.scroll(3, VerticalDirection.DOWN);
        settle();
        assertThat(sel.getVisibleRange().duration()).isNotEqualTo(before.duration());
        assertThat(scrollY()).isEqualTo(y);
    }

    @Test
    void clickingANodeHeaderFoldsItsCpusAndTheNextNodeMovesUp(FxRobot robot) {
        settle();
        TimelineLayout before = ViewSnapshots.onFx(() -> skin().layout());
        double headerY = TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H + TimelineLayout.NODE_H / 2;
        robot.clickOn(screen(TimelineLayout.GUTTER + 300, headerY));
        assertThat(view.collapsedNodes()).containsExactly(0);
        settle();
        TimelineLayout after = ViewSnapshots.onFx(() -> skin().layout());
        assertThat(after.cpuRow(0).hidden()).isTrue();
        assertThat(after.isVisible(after.cpuRow(3), H)).isFalse();
        assertThat(after.cpuRow(8).y()).isEqualTo(before.cpuRow(8).y() - 8 * TimelineLayout.CPU_PITCH);
        // node 1's first lane is drawn where node 0's lanes were, in its own colours
        assertSlicesDrawn(8, after.cpuRow(8).y() + 2, 2);
        robot.clickOn(screen(TimelineLayout.GUTTER + 300, headerY));
        assertThat(view.collapsedNodes()).isEmpty();
        assertThat(ViewSnapshots.onFx(() -> skin().layout().cpuRow(8).y())).isEqualTo(before.cpuRow(8).y());
    }
}
