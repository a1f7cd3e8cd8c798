package dev.kernscope.app.cli;

import dev.kernscope.app.adapt.NumaModels;
import dev.kernscope.app.adapt.ReaderTimelineSource;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.views.ViewSnapshots;
import dev.kernscope.views.flame.FlameGraph;
import dev.kernscope.views.model.NumaModel;
import dev.kernscope.views.model.TraceSelection;
import dev.kernscope.views.numa.NumaView;
import dev.kernscope.views.timeline.TimelineView;
import java.io.IOException;
import java.nio.file.Path;
import javafx.scene.layout.Region;

/**
 * Renders one view of a trace to PNG without a display, for {@code kernscope export --png}: JavaFX runs on
 * Monocle's headless platform with software rendering unless the caller chose a platform. Not re-entrant.
 */
public final class HeadlessRender {
    /** Views {@code --view} accepts. */
    public enum View { timeline, flame, numa }

    private HeadlessRender() {}

    /** Selects Monocle headless before the toolkit starts, unless a platform was chosen explicitly. */
    public static void useHeadlessPlatform(int w, int h) {
        if (System.getProperty("glass.platform") != null) return;
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("prism.text", "t2k");
        System.setProperty("headless.geometry", Math.max(w, 1280) + "x" + Math.max(h, 800) + "-32");
        System.setProperty("java.awt.headless", "true");
        quietClassPathWarning();
    }

    /** JavaFX warns once that it was loaded from the class path; that is how kernscope ships, so say nothing. */
    public static void quietClassPathWarning() {
        java.util.logging.Logger.getLogger("javafx").setLevel(java.util.logging.Level.SEVERE);
    }

    /** Renders {@code view} of [from, to) at w × h into {@code out}. */
    public static void png(TraceReader r, View view, long from, long to, int w, int h, Path out) throws IOException {
        useHeadlessPlatform(w, h);
        ReaderTimelineSource src = view == View.timeline ? ReaderTimelineSource.open(r) : null;
        NumaModel model = view == View.numa ? NumaModels.build(r, from, to) : null;
        dev.kernscope.views.model.FlameData flame = view == View.flame ? dev.kernscope.app.adapt.FlameModels.build(
                new dev.kernscope.storage.FlameQueries(r), dev.kernscope.storage.FlameQueries.Filter.of(from, to,
                        dev.kernscope.storage.FlameQueries.Mode.ON)) : null;
        long[] b = r.bounds();
        Region node = ViewSnapshots.onFx(() -> {
            TraceSelection sel = new TraceSelection();
            sel.reset(b[0], b[1]);
            Region v = switch (view) {
                case timeline -> {
                    TimelineView t = new TimelineView(sel, null);
                    t.setSource(src);
                    yield t;
                }
                case numa -> {
                    NumaView n = new NumaView(sel, null);
                    n.setModel(model);
                    yield n;
                }
                case flame -> {
                    FlameGraph g = new FlameGraph(sel, null);
                    g.setData(flame);
                    yield g;
                }
            };
            sel.setVisibleRange(from, to, 1);
            if (from > b[0] || to < b[1]) sel.selectedRangeProperty().set(new dev.kernscope.views.model.TimeRange(from, to));
            return v;
        });
        ViewSnapshots.toPng(node, w, h, out);
    }
}
