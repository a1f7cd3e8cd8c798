package dev.kernscope.views.timeline;

import static dev.kernscope.views.FxTestSupport.close;
import static dev.kernscope.views.FxTestSupport.snap;
import static dev.kernscope.views.FxTestSupport.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.model.InMemoryTimelineSource;
import dev.kernscope.views.model.ThreadInfo;
import dev.kernscope.views.model.ThreadState;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.geometry.Point2D;
import javafx.geometry.VerticalDirection;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** 1 px = 1 µs: the plot is 1000 px wide and the trace 1 ms long. */
@ExtendWith(ApplicationExtension.class)
class TimelineViewTest {
    static final int W = 1000 + (int) TimelineLayout.GUTTER, H = 360;
    TraceSelection sel;
    TimelineView view;
    final AtomicInteger changes = new AtomicInteger();

    @Start
    void start(Stage stage) {
        InMemoryTimelineSource src = InMemoryTimelineSource.builder().cpu(0, 0).cpu(1, 0).cpu(2, 1).cpu(3, 1)
                .thread(new ThreadInfo(5, 105, "worker", 1, 100, "server"))
                .thread(new ThreadInfo(6, 106, "other", 2, 200, "client"))
                .slice(2, 100_000, 200_000, 5, ThreadState.SLEEPING, 3_000)
                .slice(0, 500_000, 100_000, 6, ThreadState.RUNNABLE, -1)
                .slice(1, 700_000, 50_000, 5, ThreadState.SLEEPING, -1)
                .bounds(0, 1_000_000).build();
        sel = new TraceSelection();
        view = new TimelineView(sel, s -> changes.incrementAndGet());
        view.setSource(src);
        stage.setScene(new Scene(view, W, H));
        stage.show();
    }

    private TimelineViewSkin skin() { return (TimelineViewSkin) view.getSkin(); }

    private void settle() { waitUntil(() -> !view.busyProperty().get()); }

    private Point2D screen(double x, double y) { return ViewSnapshots.onFx(() -> view.localToScreen(x, y)); }

    @Test
    void knownSliceIsDrawnInItsColourOverItsTimeRange() {
        settle();
        WritableImage img = snap(view);
        TimelineLayout.Row cpu2 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(2);
        int y = (int) cpu2.y() + 2; // above the label text
        Color expected = ViewSnapshots.onFx(() -> skin().threadColor(5, view.getSource().thread(5)));
        double x0 = TimelineLayout.GUTTER;
        assertThat(close(img.getPixelReader().getColor((int) x0 + 101, y), expected)).isTrue();
        assertThat(close(img.getPixelReader().getColor((int) x0 + 200, y), expected)).isTrue();
        assertThat(close(img.getPixelReader().getColor((int) x0 + 298, y), expected)).isTrue();
        assertThat(close(img.getPixelReader().getColor((int) x0 + 98, y), expected)).isFalse();
        assertThat(close(img.getPixelReader().getColor((int) x0 + 302, y), expected)).isFalse();
        // the same colour does not appear in another CPU's lane at that time
        TimelineLayout.Row cpu0 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(0);
        assertThat(close(img.getPixelReader().getColor((int) x0 + 200, (int) cpu0.y() + 2), expected)).isFalse();
    }

    @Test
    void wheelZoomKeepsTheTimeUnderThePointer(FxRobot robot) {
        settle();
        double x = TimelineLayout.GUTTER + 333;
        long before = ViewSnapshots.onFx(() -> skin().toTime(x));
        robot.moveTo(screen(x, 150));
        robot.scroll(3, VerticalDirection.DOWN); // Monocle's glass robot delivers this as deltaY > 0 (zoom in)
        settle();
        TimeRange v = sel.getVisibleRange();
        assertThat(v.duration()).isLessThan(1_000_000);
        long after = ViewSnapshots.onFx(() -> skin().toTime(x));
        double nsPerPx = v.duration() / 1000.0;
        assertThat((double) Math.abs(after - before)).isLessThanOrEqualTo(Math.max(2, nsPerPx));
    }

    @Test
    void shiftDragSelectsATimeRange(FxRobot robot) {
        settle();
        robot.press(KeyCode.SHIFT);
        robot.drag(screen(TimelineLayout.GUTTER + 200, 150), MouseButton.PRIMARY)
                .moveTo(screen(TimelineLayout.GUTTER + 450, 160)).release(MouseButton.PRIMARY);
        robot.release(KeyCode.SHIFT);
        TimeRange r = sel.getSelectedRange();
        assertThat(r).isNotNull();
        assertThat(r.start()).isBetween(198_000L, 202_000L);
        assertThat(r.end()).isBetween(448_000L, 452_000L);
        assertThat(sel.getVisibleRange()).isEqualTo(new TimeRange(0, 1_000_000)); // selecting does not pan
    }

    @Test
    void dragOnTheRulerSelectsToo(FxRobot robot) {
        settle();
        double y = TimelineLayout.OVERVIEW_H + 10;
        robot.drag(screen(TimelineLayout.GUTTER + 600, y), MouseButton.PRIMARY)
                .moveTo(screen(TimelineLayout.GUTTER + 500, y)).release(MouseButton.PRIMARY);
        TimeRange r = sel.getSelectedRange();
        assertThat(r.start()).isBetween(498_000L, 502_000L);
        assertThat(r.end()).isBetween(598_000L, 602_000L);
    }

    @Test
    void wsadZoomAndPan(FxRobot robot) {
        settle();
        robot.clickOn(screen(TimelineLayout.GUTTER + 900, H - 5)); // focus, empty area
        robot.moveTo(screen(TimelineLayout.GUTTER + 500, 150));
        robot.type(KeyCode.W);
        TimeRange zoomed = sel.getVisibleRange();
        assertThat(zoomed.duration()).isEqualTo(800_000);
        robot.type(KeyCode.D);
        assertThat(sel.getVisibleRange().start()).isEqualTo(zoomed.start() + 100_000);
        robot.type(KeyCode.A);
        assertThat(sel.getVisibleRange()).isEqualTo(zoomed);
        robot.type(KeyCode.S);
        assertThat(sel.getVisibleRange().duration()).isEqualTo(1_000_000);
        assertThat(changes.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void dragPansAndClickSelectsTheThread(FxRobot robot) {
        settle();
        ViewSnapshots.onFx(() -> { sel.setVisibleRange(0, 500_000, 1); return null; }); // 500 ns per px
        settle();
        TimelineLayout.Row cpu2 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(2);
        robot.clickOn(screen(TimelineLayout.GUTTER + 400, cpu2.y() + 5)); // t = 200 µs, inside the utid 5 slice
        assertThat(sel.getSelectedUtid()).isEqualTo(5);
        assertThat(sel.getSelectedUpid()).isEqualTo(1);
        robot.drag(screen(TimelineLayout.GUTTER + 400, 150), MouseButton.PRIMARY)
                .moveTo(screen(TimelineLayout.GUTTER + 200, 150)).release(MouseButton.PRIMARY);
        assertThat(sel.getVisibleRange().start()).isBetween(99_000L, 101_000L);
        assertThat(sel.getSelectedUtid()).isEqualTo(5);
        robot.type(KeyCode.P);
        assertThat(view.pinnedUtids()).containsExactly(5);
    }

    @Test
    void pTogglesSeveralPinnedLanesThatDrawTheirThreads(FxRobot robot) {
        settle();
        TimelineLayout.Row cpu2 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(2);
        TimelineLayout.Row cpu0 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(0);
        robot.clickOn(screen(TimelineLayout.GUTTER + 150, cpu2.y() + 5)); // utid 5 at 150 µs
        robot.type(KeyCode.P);
        settle();
        robot.clickOn(screen(TimelineLayout.GUTTER + 550, ViewSnapshots.onFx(() -> skin().layout().cpuRow(0).y()) + 5)); // utid 6
        assertThat(sel.getSelectedUtid()).isEqualTo(6);
        robot.type(KeyCode.P);
        settle();
        assertThat(view.pinnedUtids()).containsExactly(5, 6);
        TimelineLayout lay = ViewSnapshots.onFx(() -> skin().layout());
        TimelineLayout.Row pin0 = lay.rows().get(0), pin1 = lay.rows().get(1);
        assertThat(pin0.isPinned() && pin1.isPinned()).isTrue();
        assertThat(lay.cpuRow(0).y()).isGreaterThan(cpu0.y()); // the CPUs moved down by two lanes
        robot.moveTo(screen(20, H - 5)); // no hover line or card over the lanes
        WritableImage img = snap(view);
        Color c5 = ViewSnapshots.onFx(() -> skin().threadColor(5, view.getSource().thread(5)));
        Color c6 = ViewSnapshots.onFx(() -> skin().threadColor(6, view.getSource().thread(6)));
        int x5 = (int) TimelineLayout.GUTTER + 150, x6 = (int) TimelineLayout.GUTTER + 550;
        assertThat(close(img.getPixelReader().getColor(x5, (int) pin0.y() + 2), c5)).isTrue();
        assertThat(close(img.getPixelReader().getColor(x6, (int) pin1.y() + 2), c6)).isTrue();
        assertThat(close(img.getPixelReader().getColor(x6, (int) pin0.y() + 2), c6)).isFalse();
        robot.clickOn(screen(TimelineLayout.GUTTER + 150, lay.cpuRow(2).y() + 5));
        robot.type(KeyCode.P); // unpins 5, 6 stays and moves up
        assertThat(view.pinnedUtids()).containsExactly(6);
    }

    @Test
    void placeholderWhileSourceIsNull() {
        ViewSnapshots.onFx(() -> { view.setSource(null); return null; });
        WritableImage img = snap(view);
        assertThat(view.lookup(".placeholder").isVisible()).isTrue();
        assertThat(img.getWidth()).isEqualTo(W);
    }

    @Test
    void plusMinusZeroAndZZoomButCtrlCombinationsAreLeftToTheMenus(FxRobot robot) {
        settle();
        robot.clickOn(screen(20, H - 4)); // focus, in the gutter: zoom keys work around the centre
        robot.type(KeyCode.EQUALS);
        assertThat(sel.getVisibleRange().duration()).isEqualTo(500_000);
        robot.type(KeyCode.MINUS);
        assertThat(sel.getVisibleRange().duration()).isEqualTo(1_000_000);
        robot.type(KeyCode.EQUALS).type(KeyCode.EQUALS);
        robot.type(KeyCode.DIGIT0);
        assertThat(sel.getVisibleRange()).isEqualTo(new TimeRange(0, 1_000_000));
        ViewSnapshots.onFx(() -> { sel.selectedRangeProperty().set(new TimeRange(200_000, 400_000)); return null; });
        robot.type(KeyCode.Z);
        assertThat(sel.getVisibleRange()).isEqualTo(new TimeRange(190_000, 410_000));
        TimeRange v = sel.getVisibleRange();
        robot.press(KeyCode.CONTROL).type(KeyCode.W).release(KeyCode.CONTROL);
        assertThat(sel.getVisibleRange()).as("Ctrl+W is not W").isEqualTo(v);
    }

    @Test
    void hoverSaysWhatTheThreadDidNextInWords(FxRobot robot) {
        settle();
        TimelineLayout.Row cpu2 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(2);
        robot.moveTo(screen(TimelineLayout.GUTTER + 200, cpu2.y() + 5));
        List<String> lines = ViewSnapshots.onFx(() -> skin().hoverLines(view.getSource(), skin().layout()));
        assertThat(lines).contains("Then     sleeping", "Latency  3.00 µs").noneMatch(l -> l.contains("Unknown") || l.contains("Dead"));
        TimelineLayout.Row cpu1 = new TimelineLayout(view.getSource().cpus(), false).cpuRow(1);
        robot.moveTo(screen(TimelineLayout.GUTTER + 720, cpu1.y() + 5));
        lines = ViewSnapshots.onFx(() -> skin().hoverLines(view.getSource(), skin().layout()));
        assertThat(lines).contains("Then     sleeping").noneMatch(l -> l.startsWith("Latency"));
    }

    @Test
    void theRulerEndsAtTheTracesEndAndTheSelectionBadgeHidesTheTickLabelsUnderIt() {
        settle();
        long step = ViewSnapshots.onFx(() -> skin().lastRulerStep());
        long last = ViewSnapshots.onFx(() -> skin().lastRulerTick());
        assertThat(last).isLessThanOrEqualTo(1_000_000).isGreaterThan(1_000_000 - 2 * step);
        // drawn whole: its text ("900 µs", 6 characters of ~6.5 px) ends inside the view
        assertThat(ViewSnapshots.onFx(() -> skin().toX(last)) + 4 + 6 * 6.5).isLessThanOrEqualTo(W);
        // the "0.5 ms" tick label starts 4 px right of its tick; a 200 µs selection centred there puts its badge on it
        double cx = ViewSnapshots.onFx(() -> skin().toX(500_000));
        assertThat(colours(snap(view), cx)).as("the tick label, before").isGreaterThan(10);
        ViewSnapshots.onFx(() -> { sel.selectedRangeProperty().set(new TimeRange(400_000, 600_000)); return null; });
        assertThat(colours(snap(view), cx)).as("what the badge leaves of the label: plain (tinted) ruler").isZero();
    }

    /** Pixels unlike the first one in the ruler just right of the selection badge centred at {@code cx}. */
    private static int colours(WritableImage img, double cx) {
        int n = 0;
        int y0 = (int) TimelineLayout.OVERVIEW_H + 2, y1 = (int) (TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H - 5);
        Color first = img.getPixelReader().getColor((int) cx + 34, y0);
        for (int x = (int) cx + 34; x < cx + 50; x++) {
            for (int y = y0; y < y1; y++) if (!close(img.getPixelReader().getColor(x, y), first)) n++;
        }
        return n;
    }
}
