package dev.kernscope.views.timeline;

import dev.kernscope.views.draw.Hash;
import dev.kernscope.views.draw.HoverCard;
import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.draw.TimeFormat;
import dev.kernscope.views.model.CounterBlock;
import dev.kernscope.views.model.CpuInfo;
import dev.kernscope.views.model.EventBlock;
import dev.kernscope.views.model.SliceBlock;
import dev.kernscope.views.model.ThreadInfo;
import dev.kernscope.views.model.ThreadState;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TimelineSource;
import dev.kernscope.views.model.TraceSelection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.beans.InvalidationListener;
import javafx.geometry.Orientation;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.SkinBase;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * Draws {@link TimelineView} on two canvases: data (lanes, slices, ruler, overview) and overlay (selection,
 * hover, latency markers). Redraw cost depends on pixels: it draws only the fetched per-pixel blocks.
 * Confined to the FX thread.
 */
public class TimelineViewSkin extends SkinBase<TimelineView> {
    static final long MIN_VISIBLE_NS = 200;
    private static final Font FONT = Font.font("DejaVu Sans", 11);
    private static final Font FONT_BOLD = Font.font("DejaVu Sans", javafx.scene.text.FontWeight.BOLD, 11);
    private static final Font FONT_SMALL = Font.font("DejaVu Sans", 9);

    private final Canvas data = new Canvas();
    private final Canvas overlay = new Canvas();
    private final Label placeholder = new Label("No trace loaded");
    private final TimelineFetcher fetcher = new TimelineFetcher(this::deliver);
    private TimelineFetcher.Frame frame;
    private TimelineLayout layout;
    private final Color[] palette = new Color[TimelineView.PALETTE_SIZE];
    private Color[] colorCache = new Color[0];
    private Color[] dimCache = new Color[0];
    private final Canvas overviewCanvas = new Canvas();
    /** Shown when the CPU lanes do not fit; its value is the scroll offset in px. */
    private final ScrollBar vbar = new ScrollBar();
    private static final double SCROLLBAR_W = 12;
    private double scrollY;
    private SliceBlock[] drawnOverview;
    private final LanePixels pixels = new LanePixels();
    /** Scratch for the lane being drawn: (utid, left, right) per named block; run-queue bar height per column. */
    private int[] labels = new int[96];
    private int labelCount;
    private int[] colH = new int[0];
    private final StyleColors c;

    private double mouseX = -1, mouseY = -1;
    private enum Drag { NONE, PAN, SELECT, OVERVIEW }
    private Drag drag = Drag.NONE;
    private double pressX;
    private TimeRange pressRange;
    private long selectAnchor;
    private boolean moved;
    private long lastDrawNanos;

    public TimelineViewSkin(TimelineView view) {
        super(view);
        c = view.styleColors();
        placeholder.getStyleClass().add("placeholder");
        placeholder.textProperty().bind(view.placeholderTextProperty());
        vbar.setOrientation(Orientation.VERTICAL);
        vbar.setVisible(false);
        vbar.setFocusTraversable(false);
        vbar.valueProperty().addListener((o, a, b) -> scrollTo(b.doubleValue()));
        view.laneScrollProperty().addListener(o -> applyScroll());
        vbar.setOnScroll(e -> { scrollTo(scrollY - (e.getDeltaY() != 0 ? e.getDeltaY() : e.getDeltaX())); e.consume(); });
        getChildren().addAll(overviewCanvas, data, overlay, placeholder, vbar);
        overviewCanvas.setMouseTransparent(true);
        overlay.setMouseTransparent(true);
        TraceSelection sel = view.getSelection();
        InvalidationListener redraw = o -> refresh();
        sel.visibleRangeProperty().addListener(redraw);
        sel.selectedUtidProperty().addListener(redraw);
        view.shownThreadsProperty().addListener(o -> drawData());
        sel.selectedRangeProperty().addListener(o -> drawOverlay());
        view.pinnedUtids().addListener((InvalidationListener) o -> { layout = null; getSkinnable().requestLayout(); refresh(); });
        view.collapsedNodes().addListener((InvalidationListener) o -> { layout = null; getSkinnable().requestLayout(); refresh(); });
        view.sourceProperty().addListener(o -> {
            layout = null;
            // a live trace's next snapshot keeps its lanes on screen until their new fetch arrives
            if (!drawable(frame, view.getSource())) {
                frame = null;
                view.lanesDrawn.set(false);
            }
            getSkinnable().requestLayout();
            refresh();
        });
        c.addListener(o -> { readPalette(); drawData(); drawOverlay(); });
        data.setOnScroll(this::onScroll);
        data.setOnMousePressed(this::onPressed);
        data.setOnMouseDragged(this::onDragged);
        data.setOnMouseReleased(this::onReleased);
        data.setOnMouseMoved(e -> { mouseX = e.getX(); mouseY = e.getY(); drawOverlay(); });
        data.setOnMouseExited(e -> { mouseX = -1; drawOverlay(); });
        view.addEventHandler(KeyEvent.KEY_PRESSED, this::onKey);
        readPalette();
    }

    private void readPalette() {
        for (int i = 0; i < palette.length; i++) palette[i] = c.get("-ks-proc-" + i);
        colorCache = new Color[0];
        dimCache = new Color[0];
        drawnOverview = null;
    }

    @Override
    protected void layoutChildren(double x, double y, double w, double h) {
        TimelineSource s = getSkinnable().getSource();
        TimelineLayout probe = newLayout(0);
        boolean scrolls = probe.maxScroll(h) > 0;
        double cw = scrolls ? Math.max(1, w - SCROLLBAR_W) : w;
        boolean resized = data.getWidth() != cw || data.getHeight() != h;
        data.setWidth(cw); data.setHeight(h);
        overlay.setWidth(cw); overlay.setHeight(h);
        data.relocate(x, y); overlay.relocate(x, y);
        if (overviewCanvas.getWidth() != cw) drawnOverview = null;
        overviewCanvas.setWidth(cw); overviewCanvas.setHeight(TimelineLayout.OVERVIEW_H);
        overviewCanvas.relocate(x, y);
        layoutInArea(placeholder, x, y, w, h, 0, javafx.geometry.HPos.CENTER, VPos.CENTER);
        vbar.setVisible(scrolls);
        if (scrolls) vbar.resizeRelocate(x + cw, y + probe.scrollTop(), SCROLLBAR_W, Math.max(0, h - probe.scrollTop()));
        double before = scrollY;
        scrollY = clampScroll(getSkinnable().laneScrollProperty().get(), probe.maxScroll(h));
        if (scrollY != before) layout = null;
        syncScrollBar(probe);
        var wish = getSkinnable().laneScrollProperty();
        if (h > 0 && s != null && wish.get() != scrollY) wish.set(scrollY); // report the clamped value
        if (resized) { if (frame != null) frame = new TimelineFetcher.Frame(frame.source(), frame.from(), frame.to(), frame.nsPerPixel(), frame.cpuFrom(), frame.slices(), frame.runq(), frame.pinned(), frame.pinnedUtids(), frame.wakeups(), frame.wakeupUtid(), frame.migrations(), frame.lost(), null, 0); refresh(); }
    }

    // The canvases are sized to whatever room the view gets; SkinBase would report their current size as the
    // view's minimum, so a view once laid out wide could never be made narrower again (wider than the window).
    @Override protected double computeMinWidth(double h, double t, double r, double b, double l) {
        return l + r + TimelineLayout.GUTTER + 80;
    }

    @Override protected double computeMinHeight(double w, double t, double r, double b, double l) {
        return t + b + TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H + TimelineLayout.CPU_PITCH;
    }

    @Override protected double computePrefWidth(double h, double t, double r, double b, double l) {
        return l + r + 800;
    }

    /** All lanes when they fit in 600 px; else 600 px and the lanes scroll. */
    @Override protected double computePrefHeight(double w, double t, double r, double b, double l) {
        TimelineSource s = getSkinnable().getSource();
        TimelineLayout all = newLayout(0);
        return t + b + Math.min(600, all.scrollTop() + all.contentHeight());
    }

    // --- geometry -------------------------------------------------------------------------------------------

    private double plotW() { return Math.max(1, data.getWidth() - TimelineLayout.GUTTER); }

    private TimeRange visible() { return getSkinnable().getSelection().getVisibleRange(); }

    double toX(long t) {
        TimeRange v = visible();
        return TimelineLayout.GUTTER + (t - v.start()) * plotW() / (double) v.duration();
    }

    long toTime(double x) {
        TimeRange v = visible();
        return v.start() + Math.round((x - TimelineLayout.GUTTER) * v.duration() / plotW());
    }

    TimelineLayout layout() {
        if (layout == null) layout = newLayout(scrollY);
        return layout;
    }

    private TimelineLayout newLayout(double scroll) {
        TimelineSource s = getSkinnable().getSource();
        return new TimelineLayout(s == null ? List.of() : s.cpus(), pinnedLanes(), scroll, getSkinnable().collapsedNodes());
    }

    private int pinnedLanes() { return getSkinnable().pinnedUtids().size(); }

    private int[] pinnedArray() {
        List<Integer> p = getSkinnable().pinnedUtids();
        int[] a = new int[p.size()];
        for (int i = 0; i < a.length; i++) a[i] = p.get(i);
        return a;
    }

    // --- vertical scrolling ---------------------------------------------------------------------------------

    /** Current vertical scroll offset of the CPU lanes in px. */
    double scrollY() { return scrollY; }

    /** Scrolls the CPU lanes so that {@code y} px of them are above the viewport (clamped, whole pixels). */
    void scrollTo(double y) {
        getSkinnable().laneScrollProperty().set(clampScroll(y, layout().maxScroll(data.getHeight())));
    }

    private static double clampScroll(double y, double max) { return Math.round(Math.max(0, Math.min(y, max))); }

    /** Follows {@link TimelineView#laneScrollProperty()}; before the first layout the wish is kept as is. */
    private void applyScroll() {
        if (data.getHeight() <= 0) return;
        var prop = getSkinnable().laneScrollProperty();
        double ny = clampScroll(prop.get(), layout().maxScroll(data.getHeight()));
        if (ny != prop.get()) { prop.set(ny); return; }
        if (ny == scrollY) { syncScrollBar(layout()); return; }
        scrollY = ny;
        layout = null;
        syncScrollBar(layout());
        refresh();
    }

    private void syncScrollBar(TimelineLayout lay) {
        double viewH = Math.max(0, data.getHeight() - lay.scrollTop());
        vbar.setMin(0);
        vbar.setMax(lay.maxScroll(data.getHeight()));
        vbar.setVisibleAmount(viewH * Math.max(1, vbar.getMax()) / Math.max(1, lay.contentHeight()));
        vbar.setUnitIncrement(TimelineLayout.CPU_PITCH);
        vbar.setBlockIncrement(Math.max(TimelineLayout.CPU_PITCH, viewH - TimelineLayout.CPU_PITCH));
        if (vbar.getValue() != scrollY) vbar.setValue(scrollY);
    }

    /** Colour of a thread: the process hue from the palette, a brightness shade per thread. */
    Color threadColor(int utid, ThreadInfo info) {
        if (utid >= 0 && utid < colorCache.length && colorCache[utid] != null) return colorCache[utid];
        int upid = info == null ? utid : info.upid();
        Color base = palette[Hash.mix(upid) % palette.length];
        double shade = 0.82 + 0.3 * ((Hash.mix(utid * 31 + 7) % 8) / 7.0);
        Color col = base.deriveColor(0, 1, shade, 1);
        if (utid >= 0 && utid < 1 << 22) {
            if (utid >= colorCache.length) {
                int n = Math.max(utid + 1, colorCache.length * 2);
                colorCache = java.util.Arrays.copyOf(colorCache, n);
                dimCache = java.util.Arrays.copyOf(dimCache, n);
            }
            colorCache[utid] = col;
            dimCache[utid] = col.deriveColor(0, 0.45, 0.6, 1);
        }
        return col;
    }

    private Color dimColor(int utid, ThreadInfo info) {
        Color col = threadColor(utid, info);
        return utid >= 0 && utid < dimCache.length && dimCache[utid] != null ? dimCache[utid] : col.deriveColor(0, 0.45, 0.6, 1);
    }

    // --- fetch ----------------------------------------------------------------------------------------------

    private void refresh() {
        TimelineView v = getSkinnable();
        TimelineSource s = v.getSource();
        placeholder.setVisible(s == null);
        if (s == null || data.getWidth() < 2) { drawData(); drawOverlay(); return; }
        TimeRange r = visible();
        long npp = Math.max(1, Long.highestOneBit(Math.max(1, r.duration() / (long) plotW())));
        int[] pinned = pinnedArray();
        int sel = v.getSelection().getSelectedUtid();
        int[] vc = layout().visibleCpus(data.getHeight());
        boolean covered = frame != null && frame.source() == s && frame.from() <= r.start() && frame.to() >= r.end()
                && frame.nsPerPixel() == npp && Arrays.equals(frame.pinnedUtids(), pinned) && frame.wakeupUtid() == sel
                && TimelineFetcher.holdsCpus(frame, vc[0], vc[1]);
        if (!covered) {
            long margin = r.duration() / 2;
            // lanes off screen are not fetched; a margin of half a screen makes small scrolls free
            int laneMargin = Math.max(2, (vc[1] - vc[0]) / 2);
            int cpuFrom = Math.max(0, vc[0] - laneMargin), cpuTo = Math.min(s.cpus().size(), vc[1] + laneMargin);
            boolean needOverview = frame == null || frame.overview() == null || frame.source() != s;
            v.busy.set(true);
            fetcher.request(s, r.start() - margin, r.end() + margin, npp, cpuFrom, cpuTo, pinned, sel,
                    needOverview ? null : frame.overview(), needOverview ? 0 : frame.overviewNsPerPixel(),
                    needOverview ? (int) plotW() : 0, frame == null);
        }
        drawData();
        drawOverlay();
    }

    private void deliver(TimelineFetcher.Frame f, boolean latest) {
        if (!latest) {
            // frames arrive in request order, so a stale one is newer than what is drawn: it is drawn until the
            // latest arrives, and never triggers another fetch
            if (!drawable(f, getSkinnable().getSource())) return;
            frame = f;
            drawData();
            drawOverlay();
            getSkinnable().lanesDrawn.set(true);
            return;
        }
        frame = f;
        getSkinnable().lanesDrawn.set(true);
        getSkinnable().busy.set(false);
        refresh();
    }

    /**
     * Whether {@code f} can be drawn for source {@code s}: fetched from it, or from an earlier snapshot of the same
     * trace with the same lanes (a live trace gets a new source at every refresh; its old frame stays on screen
     * until the new one arrives instead of blanking the lanes).
     */
    static boolean drawable(TimelineFetcher.Frame f, TimelineSource s) {
        return f != null && s != null && (f.source() == s || (f.source().traceStart() == s.traceStart()
                && f.source().cpus().equals(s.cpus())));
    }

    private long lastRulerTick, lastRulerStep;

    /** Time of the last labelled tick the ruler drew, and the tick step (for tests, also the app's). */
    public long lastRulerTick() { return lastRulerTick; }

    public long lastRulerStep() { return lastRulerStep; }

    /** Wall time of the last data redraw in ns, for the benchmark. */
    public long lastDrawNanos() { return lastDrawNanos; }

    // --- drawing --------------------------------------------------------------------------------------------

    void drawData() {
        long t0 = System.nanoTime();
        GraphicsContext g = data.getGraphicsContext2D();
        double w = data.getWidth(), h = data.getHeight();
        g.setFill(c.get("-ks-background"));
        g.fillRect(0, TimelineLayout.OVERVIEW_H, w, h - TimelineLayout.OVERVIEW_H);
        TimelineView v = getSkinnable();
        TimelineSource s = v.getSource();
        if (s == null) {
            g.clearRect(0, 0, w, TimelineLayout.OVERVIEW_H);
            overviewCanvas.getGraphicsContext2D().clearRect(0, 0, w, TimelineLayout.OVERVIEW_H);
            drawnOverview = null;
            return;
        }
        TimelineLayout lay = layout();
        double px0 = TimelineLayout.GUTTER;
        double top = lay.scrollTop(), bottom = Math.min(h, lay.height());
        TimeRange vis = visible();
        long step = TimeFormat.niceStep(vis.duration() / plotW(), 90);
        int sel = v.getSelection().getSelectedUtid();
        List<CpuInfo> cpus = s.cpus();
        TimelineFetcher.Frame f = frame;
        g.setFont(FONT);
        g.setTextBaseline(VPos.CENTER);

        // scrolling area: only the lanes on screen; whatever spills above it is painted over by the fixed area
        int[] vc = lay.visibleCpus(h);
        g.setImageSmoothing(false);
        pixels.begin((int) Math.ceil(w - px0), (vc[1] - vc[0] + 1) * (1 + (int) TimelineLayout.RUNQ_H) + 1);
        for (int i = vc[0]; i < vc[1]; i++) {
            TimelineLayout.Row r = lay.cpuRowAt(i);
            if (r.hidden()) continue;
            g.setFill(c.get((i & 1) == 0 ? "-ks-lane-background" : "-ks-lane-alt-background"));
            g.fillRect(px0, r.y(), w - px0, r.bottom() - r.y());
        }
        drawGrid(g, s, vis, step, Math.max(top, TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H), bottom);
        if (drawable(f, s)) {
            int from = Math.max(vc[0], f.cpuFrom()), to = Math.min(vc[1], f.cpuFrom() + f.slices().length);
            for (int i = from; i < to; i++) {
                TimelineLayout.Row r = lay.cpuRowAt(i);
                if (r.hidden()) continue;
                drawSlices(g, s, f.slices()[i - f.cpuFrom()], r.y(), r.laneH(), sel, w);
                drawRunq(g, f.runq()[i - f.cpuFrom()], r);
            }
            drawMarkers(g, f, lay, w, h);
        }
        g.setFill(c.get("-ks-gutter-background"));
        g.fillRect(0, top, px0, Math.max(0, bottom - top));
        for (TimelineLayout.Row r : lay.rows()) {
            if (r.isPinned() || !lay.isVisible(r, h)) continue;
            if (r.isHeader()) drawHeader(g, r, cpus, w);
            else drawCpuLabel(g, r, w);
        }
        TimelineLayout.Row sticky = lay.stickyHeader();
        if (sticky != null) drawHeader(g, sticky, cpus, w);
        g.setStroke(c.get("-ks-separator"));
        g.strokeLine(px0 - 0.5, top, px0 - 0.5, bottom);

        // fixed area: pinned lanes, ruler, overview
        g.setFill(c.get("-ks-background"));
        g.fillRect(0, TimelineLayout.OVERVIEW_H, w, top - TimelineLayout.OVERVIEW_H);
        for (TimelineLayout.Row r : lay.rows()) {
            if (!r.isPinned()) continue;
            g.setFill(c.get("-ks-lane-background"));
            g.fillRect(px0, r.y(), w - px0, r.bottom() - r.y());
        }
        drawGrid(g, s, vis, step, TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H, top);
        g.setFill(c.get("-ks-gutter-background"));
        g.fillRect(0, TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H, px0, top - TimelineLayout.OVERVIEW_H - TimelineLayout.RULER_H);
        for (TimelineLayout.Row r : lay.rows()) {
            if (!r.isPinned()) continue;
            int utid = v.pinnedUtids().get(r.node());
            if (f != null && r.node() < f.pinnedUtids().length && f.pinnedUtids()[r.node()] == utid) {
                drawSlices(g, s, f.pinned()[r.node()], r.y(), r.laneH(), TraceSelection.NONE, w);
            }
            ThreadInfo ti = s.thread(utid);
            g.setFill(c.get("-ks-highlight"));
            g.fillRect(0, r.y(), 3, r.laneH());
            g.setFill(c.get("-ks-text"));
            g.fillText(fit((ti == null ? "utid " + utid : ti.name() + " " + ti.tid()), px0 - 12), 8, r.y() + r.laneH() / 2);
            g.setStroke(c.get("-ks-separator"));
            double yb = Math.floor(r.bottom() + 1) + 0.5;
            g.strokeLine(0, yb, w, yb);
        }
        g.setStroke(c.get("-ks-separator"));
        g.strokeLine(px0 - 0.5, TimelineLayout.OVERVIEW_H, px0 - 0.5, top);

        drawRuler(g, s, vis, step, w);
        g.clearRect(0, 0, w, TimelineLayout.OVERVIEW_H);
        if (f != null && f.overview() != drawnOverview) {
            drawOverview(overviewCanvas.getGraphicsContext2D(), s, f, w);
            drawnOverview = f.overview();
        }
        lastDrawNanos = System.nanoTime() - t0;
    }

    private void drawGrid(GraphicsContext g, TimelineSource s, TimeRange vis, long step, double y0, double y1) {
        if (y1 <= y0) return;
        g.setStroke(c.get("-ks-grid"));
        g.setLineWidth(1);
        long firstTick = Math.floorDiv(vis.start() - s.traceStart(), step) * step + s.traceStart();
        for (long t = firstTick, n = 0; t <= vis.end() && t >= firstTick && n < TimeFormat.MAX_TICKS; t += step, n++) {
            double x = snap(toX(t));
            if (x >= TimelineLayout.GUTTER) g.strokeLine(x, y0, x, y1);
        }
    }

    private void drawHeader(GraphicsContext g, TimelineLayout.Row r, List<CpuInfo> cpus, double w) {
        g.setFill(c.get("-ks-node-header"));
        g.fillRect(0, r.y(), w, r.laneH());
        g.setFill(c.get("-ks-text"));
        g.setFont(FONT_BOLD);
        int n = 0;
        for (CpuInfo ci : cpus) if (ci.node() == r.node()) n++;
        boolean folded = getSkinnable().collapsedNodes().contains(r.node());
        // a disclosure triangle: pointing right when folded, down when open
        double tx = 9, ty = r.y() + r.laneH() / 2;
        if (folded) g.fillPolygon(new double[]{tx, tx + 6, tx}, new double[]{ty - 4, ty, ty + 4}, 3);
        else g.fillPolygon(new double[]{tx - 1, tx + 7, tx + 3}, new double[]{ty - 3, ty - 3, ty + 2}, 3);
        g.fillText("NUMA node " + r.node() + "  ·  " + n + " CPUs" + (folded ? "  (folded: click to show)" : ""),
                22, r.y() + r.laneH() / 2);
        g.setFont(FONT);
        g.setStroke(c.get("-ks-separator"));
        double yb = Math.floor(r.y() + r.laneH()) + 0.5;
        g.strokeLine(0, yb, w, yb);
    }

    private void drawCpuLabel(GraphicsContext g, TimelineLayout.Row r, double w) {
        g.setFill(c.get("-ks-text"));
        g.fillText("CPU " + r.cpu(), 12, r.y() + r.laneH() / 2);
        g.setFill(c.get("-ks-text-dim"));
        g.fillText("runq", 12, r.runqY() + r.runqH() / 2);
        g.setStroke(c.get("-ks-separator"));
        double yb = Math.floor(r.bottom() + 1) + 0.5;
        g.strokeLine(0, yb, w, yb);
    }

    private static double snap(double x) { return Math.floor(x) + 0.5; }

    /**
     * One lane of slices: pixel colours into a row of {@link LanePixels} (at most one slice per pixel, the first
     * that reaches it), one image draw, then names on slices wider than 36 px. O(slices + pixels).
     */
    private void drawSlices(GraphicsContext g, TimelineSource s, SliceBlock b, double y, double h, int sel, double w) {
        double px0 = TimelineLayout.GUTTER;
        TimeRange v = visible();
        double scale = plotW() / (double) v.duration();
        long vs = v.start();
        int[] row = pixels.row();
        int n = pixels.width();
        double lastEnd = Double.NEGATIVE_INFINITY;
        Color lastCol = null;
        int lastArgb = 0;
        labelCount = 0;
        // back-to-back slices of one thread read as one block, so they get one name
        int runUtid = Integer.MIN_VALUE, runL = 0, runR = 0;
        java.util.BitSet shown = getSkinnable().shownThreadsProperty().get();
        for (int i = 0; i < b.size; i++) {
            double x0 = px0 + (b.ts[i] - vs) * scale, x1 = px0 + (b.ts[i] + b.dur[i] - vs) * scale;
            if (x1 < px0 || x0 > w) continue;
            x0 = Math.max(px0, x0);
            x1 = Math.min(w, x1);
            // one pixel minimum, but never paint over the previous slice's pixel
            double l = Math.floor(x0), r = Math.max(l + 1, Math.floor(x1));
            if (l < lastEnd) l = lastEnd;
            if (r <= l) continue;
            lastEnd = r;
            int utid = b.utid[i];
            boolean dim = (sel >= 0 && utid != sel) || (shown != null && (utid < 0 || !shown.get(utid)));
            // the colour cache first: a source's thread lookup may cost a map probe per slice
            Color col = utid >= 0 && utid < colorCache.length && colorCache[utid] != null
                    ? (dim ? dimCache[utid] : colorCache[utid])
                    : dim ? dimColor(utid, s.thread(utid)) : threadColor(utid, s.thread(utid));
            if (col != lastCol) { lastCol = col; lastArgb = LanePixels.argb(col); }
            int a = (int) (l - px0), e = Math.min(n, (int) (r - px0));
            if (a < e) Arrays.fill(row, a, e, lastArgb);
            if (utid == runUtid && l == runR) { runR = (int) r; continue; }
            addLabel(runUtid, runL, runR);
            runUtid = utid; runL = (int) l; runR = (int) r;
        }
        addLabel(runUtid, runL, runR);
        pixels.drawRow(g, px0, y, h);
        if (labelCount == 0) return;
        g.setFill(c.get("-ks-background"));
        for (int k = 0; k < labelCount * 3; k += 3) {
            ThreadInfo ti = s.thread(labels[k]);
            String label = ti == null ? "" : fit(ti.name(), labels[k + 2] - labels[k + 1] - 6);
            if (!label.isEmpty()) g.fillText(label, labels[k + 1] + 3, y + h / 2);
        }
    }

    /** Queues a name for the block {@code [l, r)} of one thread if it is wider than 36 px (names need ~30). */
    private void addLabel(int utid, int l, int r) {
        if (utid == Integer.MIN_VALUE || r - l <= 36) return;
        if (labelCount * 3 == labels.length) labels = Arrays.copyOf(labels, labels.length * 2);
        labels[labelCount * 3] = utid;
        labels[labelCount * 3 + 1] = l;
        labels[labelCount * 3 + 2] = r;
        labelCount++;
    }

    /** Run-queue length as bars, per pixel column the last sample that reaches it, drawn as one image. */
    private void drawRunq(GraphicsContext g, CounterBlock q, TimelineLayout.Row r) {
        double max = 4;
        for (int i = 0; i < q.size; i++) max = Math.max(max, q.value[i]);
        int rh = (int) r.runqH(), n = pixels.width();
        if (colH.length < n) colH = new int[n];
        Arrays.fill(colH, 0, n, 0);
        double px0 = TimelineLayout.GUTTER, w = data.getWidth();
        TimeRange v = visible();
        double scale = plotW() / (double) v.duration();
        long vs = v.start();
        for (int i = 0; i < q.size; i++) {
            if (q.value[i] <= 0) continue;
            double x0 = Math.max(px0, Math.floor(px0 + (q.ts[i] - vs) * scale));
            double x1 = i + 1 < q.size ? Math.floor(px0 + (q.ts[i + 1] - vs) * scale) : w;
            x1 = Math.min(w, Math.max(x1, x0 + 1));
            if (x1 <= px0 || x0 >= w) continue;
            int hh = (int) Math.max(1, Math.round(rh * q.value[i] / max));
            int a = (int) (x0 - px0), e = Math.min(n, (int) (x1 - px0));
            if (a < e) Arrays.fill(colH, a, e, Math.min(rh, hh));
        }
        pixels.drawBars(g, colH, rh, c.get("-ks-runq"), px0, r.runqY());
    }

    private void drawMarkers(GraphicsContext g, TimelineFetcher.Frame f, TimelineLayout lay, double w, double h) {
        EventBlock m = f.migrations();
        g.setFill(c.get("-ks-migration"));
        for (int i = 0; i < m.size; i++) {
            TimelineLayout.Row r = lay.cpuRow(m.c[i]);
            double x = toX(m.ts[i]);
            if (r == null || x < TimelineLayout.GUTTER || x > w || !lay.isVisible(r, h)) continue;
            g.fillPolygon(new double[]{x - 3.5, x + 3.5, x}, new double[]{r.y() - 3, r.y() - 3, r.y() + 3}, 3);
        }
        EventBlock lost = f.lost();
        for (int i = 0; i < lost.size; i++) {
            TimelineLayout.Row r = lay.cpuRow(lost.a[i]);
            double x = snap(toX(lost.ts[i]));
            if (r == null || x < TimelineLayout.GUTTER || x > w || !lay.isVisible(r, h)) continue;
            g.setStroke(c.get("-ks-lost"));
            g.setLineWidth(2);
            g.strokeLine(x, r.y(), x, r.bottom());
            g.setLineWidth(1);
            g.setFill(c.get("-ks-lost"));
            g.fillRect(x - 1, r.y() - 2, 8, 8);
            g.setFill(c.get("-ks-background"));
            g.setFont(FONT_BOLD);
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText("!", x + 3, r.y() + 2);
            g.setTextAlign(TextAlignment.LEFT);
            g.setFont(FONT);
        }
    }

    private void drawRuler(GraphicsContext g, TimelineSource s, TimeRange vis, long step, double w) {
        double y0 = TimelineLayout.OVERVIEW_H, h = TimelineLayout.RULER_H;
        g.setFill(c.get("-ks-ruler-background"));
        g.fillRect(0, y0, w, h);
        g.setStroke(c.get("-ks-tick"));
        g.setFill(c.get("-ks-text"));
        g.setFont(FONT);
        long firstTick = Math.floorDiv(vis.start() - s.traceStart(), step) * step + s.traceStart();
        for (long t = firstTick, n = 0; t <= vis.end() && t >= firstTick && n < TimeFormat.MAX_TICKS; t += step, n++) {
            double x = snap(toX(t));
            for (int k = 1; k < 5; k++) { // minor ticks
                double xm = snap(toX(t + step * k / 5));
                if (xm >= TimelineLayout.GUTTER) g.strokeLine(xm, y0 + h - 4, xm, y0 + h);
            }
            if (x < TimelineLayout.GUTTER) continue;
            g.strokeLine(x, y0 + 4, x, y0 + h);
            String label = TimeFormat.format(t - s.traceStart(), step);
            if (x + 4 + label.length() * 6.5 > w) continue; // a label cut by the edge reads as another number
            g.fillText(label, x + 4, y0 + h / 2 - 1);
            lastRulerTick = t;
        }
        lastRulerStep = step;
        g.setFill(c.get("-ks-gutter-background"));
        g.fillRect(0, y0, TimelineLayout.GUTTER, h);
        // the time origin of the ticks, as precise as the ticks need; a smaller font rather than cut digits
        g.setFill(c.get("-ks-text-dim"));
        String origin = "@" + TimeFormat.absolute(vis.start(), step);
        g.setFont(origin.length() * 6.5 > TimelineLayout.GUTTER - 10 ? FONT_SMALL : FONT);
        g.fillText(origin, 6, y0 + h / 2 - 1);
        g.setFont(FONT);
        g.setStroke(c.get("-ks-separator"));
        g.strokeLine(0, y0 + h - 0.5, w, y0 + h - 0.5);
        g.strokeLine(TimelineLayout.GUTTER - 0.5, y0, TimelineLayout.GUTTER - 0.5, y0 + h);
    }

    private void drawOverview(GraphicsContext g, TimelineSource s, TimelineFetcher.Frame f, double w) {
        double h = TimelineLayout.OVERVIEW_H, px0 = TimelineLayout.GUTTER, pw = plotW();
        g.setFill(c.get("-ks-ruler-background"));
        g.fillRect(0, 0, w, h);
        g.setFont(FONT);
        g.setTextBaseline(VPos.CENTER);
        g.setFill(c.get("-ks-text-dim"));
        g.fillText("Overview", 12, h / 2);
        long start = s.traceStart(), dur = s.traceEnd() - s.traceStart();
        if (f != null && f.overview() != null && f.overview().length > 0) {
            // one pixel row per CPU in an image: a pixel-wide slice is one int, not one fill command
            int n = f.overview().length, pwi = (int) Math.ceil(pw);
            int[] buf = new int[pwi * n];
            for (int i = 0; i < n; i++) {
                SliceBlock b = f.overview()[i];
                for (int j = 0; j < b.size; j++) {
                    int a = (int) Math.floor((b.ts[j] - start) * pw / dur);
                    int e = Math.max(a + 1, (int) Math.floor((b.ts[j] + b.dur[j] - start) * pw / dur));
                    a = Math.max(0, a);
                    e = Math.min(pwi, e);
                    if (a >= e) continue;
                    int utid = b.utid[j];
                    Color col = utid >= 0 && utid < colorCache.length && colorCache[utid] != null
                            ? colorCache[utid] : threadColor(utid, s.thread(utid));
                    Arrays.fill(buf, i * pwi + a, i * pwi + e, LanePixels.argb(col));
                }
            }
            WritableImage img = new WritableImage(pwi, n);
            img.getPixelWriter().setPixels(0, 0, pwi, n, PixelFormat.getIntArgbPreInstance(), buf, 0, pwi);
            double rowH = (h - 6) / n; // below 1 px with many CPUs the rows are averaged and the strip keeps its height
            if (rowH >= 1) rowH = Math.floor(rowH);
            g.setImageSmoothing(rowH < 1);
            g.drawImage(img, px0, 3, pwi, rowH * n);
        }
        g.setStroke(c.get("-ks-separator"));
        g.strokeLine(0, h - 0.5, w, h - 0.5);
        g.strokeLine(px0 - 0.5, 0, px0 - 0.5, h);
    }

    void drawOverlay() {
        GraphicsContext g = overlay.getGraphicsContext2D();
        double w = overlay.getWidth(), h = overlay.getHeight();
        g.clearRect(0, 0, w, h);
        TimelineView v = getSkinnable();
        TimelineSource s = v.getSource();
        if (s == null) return;
        TimelineLayout lay = layout();
        double top = TimelineLayout.OVERVIEW_H, bottom = Math.min(h, lay.height());
        drawOverviewWindow(g, s, w);
        TimeRange selR = v.getSelection().getSelectedRange();
        if (selR != null) {
            double x0 = Math.max(TimelineLayout.GUTTER, toX(selR.start())), x1 = Math.min(w, toX(selR.end()));
            if (x1 > x0) {
                String label = TimeFormat.duration(selR.duration());
                double lw = label.length() * 7 + 12, cx = (x0 + x1) / 2, cy = top + TimelineLayout.RULER_H / 2;
                cx = Math.max(TimelineLayout.GUTTER + lw / 2 + 2, Math.min(w - lw / 2 - 2, cx));
                // the badge sits on the ruler: blank the tick labels it touches rather than print over them
                double[] blank = rulerLabelsUnder(s, cx - lw / 2 - 4, cx + lw / 2 + 4);
                g.setFill(c.get("-ks-ruler-background"));
                g.fillRect(blank[0], top + 1, blank[1] - blank[0], TimelineLayout.RULER_H - 6);
                g.setFill(c.get("-ks-selection-fill"));
                g.fillRect(x0, top, x1 - x0, bottom - top);
                g.setStroke(c.get("-ks-selection-edge"));
                g.strokeLine(snap(x0), top, snap(x0), bottom);
                g.strokeLine(snap(x1), top, snap(x1), bottom);
                g.setFill(c.get("-ks-tooltip-background"));
                g.fillRoundRect(cx - lw / 2, cy - 9, lw, 18, 8, 8);
                g.setStroke(c.get("-ks-selection-edge"));
                g.strokeRoundRect(cx - lw / 2 + 0.5, cy - 8.5, lw - 1, 17, 8, 8);
                g.setFont(FONT_BOLD);
                g.setFill(c.get("-ks-selection-edge"));
                g.setTextAlign(TextAlignment.CENTER);
                g.setTextBaseline(VPos.CENTER);
                g.fillText(label, cx, cy);
                g.setTextAlign(TextAlignment.LEFT);
            }
        }
        if (selR == null && drag == Drag.NONE) drawHint(g, lay, w, h);
        drawLatency(g, s, lay, w, h);
        if (mouseX >= TimelineLayout.GUTTER && mouseY > top && mouseY < bottom) {
            g.setStroke(c.get("-ks-text-dim"));
            g.strokeLine(snap(mouseX), top, snap(mouseX), bottom);
            List<String> lines = hoverLines(s, lay);
            if (lines != null) HoverCard.draw(g, c, FONT, lines, mouseX, mouseY, w, h);
        }
    }

    /** The span [x0, x1] widened to whole tick labels of the ruler that it touches. */
    private double[] rulerLabelsUnder(TimelineSource s, double x0, double x1) {
        TimeRange vis = visible();
        long step = TimeFormat.niceStep(vis.duration() / plotW(), 90);
        double a = x0, b = x1;
        long first = Math.floorDiv(vis.start() - s.traceStart(), step) * step + s.traceStart();
        for (long t = first; t <= vis.end(); t += step) {
            double x = snap(toX(t));
            if (x < TimelineLayout.GUTTER) continue;
            double l0 = x + 3, l1 = x + 4 + TimeFormat.format(t - s.traceStart(), step).length() * 6.5 + 2;
            if (l1 > x0 && l0 < x1) { a = Math.min(a, l0); b = Math.max(b, l1); }
        }
        return new double[]{Math.floor(Math.max(TimelineLayout.GUTTER, a)), Math.ceil(b)};
    }

    static final String HINT = "Drag on the ruler or Shift+drag the lanes to select a range  ·  wheel or +/− zooms  ·  "
            + "Help › Keyboard and Mouse (F1)";

    /**
     * How to select a range, while none is: in the empty space under the lanes when there is some, else in a pill
     * at the bottom right of the lanes while the pointer is elsewhere.
     */
    private void drawHint(GraphicsContext g, TimelineLayout lay, double w, double h) {
        double tw = HINT.length() * 6.1 + 20, x = Math.max(TimelineLayout.GUTTER + 8, w - tw - 10);
        if (tw > w - TimelineLayout.GUTTER - 16) return; // a narrow view keeps its pixels for the lanes
        double free = h - lay.height();
        g.setFont(FONT);
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.LEFT);
        if (free >= 30) {
            g.setFill(c.get("-ks-text-dim"));
            g.fillText(HINT, TimelineLayout.GUTTER + 12, lay.height() + Math.min(free / 2, 24));
            return;
        }
        if (mouseX >= 0) return; // over the lanes the pill would hide what the pointer is on
        double y = h - 26;
        g.setFill(c.get("-ks-tooltip-background").deriveColor(0, 1, 1, 0.85));
        g.fillRoundRect(x, y, tw, 20, 10, 10);
        g.setFill(c.get("-ks-text-dim"));
        g.fillText(HINT, x + 10, y + 10);
    }

    private void drawOverviewWindow(GraphicsContext g, TimelineSource s, double w) {
        double h = TimelineLayout.OVERVIEW_H, px0 = TimelineLayout.GUTTER, pw = plotW();
        long start = s.traceStart(), dur = s.traceEnd() - s.traceStart();
        TimeRange vis = visible();
        double vx0 = px0 + (vis.start() - start) * pw / dur, vx1 = px0 + (vis.end() - start) * pw / dur;
        g.setFill(c.get("-ks-overview-window").deriveColor(0, 1, 1, 0.45));
        g.fillRect(px0, 0, Math.max(0, vx0 - px0), h - 1);
        g.fillRect(vx1, 0, Math.max(0, w - vx1), h - 1);
        g.setStroke(c.get("-ks-selection-edge"));
        g.strokeRect(snap(vx0), 0.5, Math.max(1, Math.floor(vx1 - vx0)), h - 2);
    }

    /** Wakeup marker, runnable interval and running slice outline for the selected thread. */
    private void drawLatency(GraphicsContext g, TimelineSource s, TimelineLayout lay, double w, double h) {
        TimelineFetcher.Frame f = frame;
        int sel = getSkinnable().getSelection().getSelectedUtid();
        if (f == null || sel < 0 || f.wakeupUtid() != sel) return;
        EventBlock wk = f.wakeups();
        for (int i = 0; i < wk.size; i++) {
            TimelineLayout.Row r = lay.cpuRow(wk.b[i]);
            if (r == null || r.hidden() || r.y() < lay.scrollTop() || r.y() > h) continue;
            double xw = toX(wk.ts[i]), xr = toX(wk.ts2[i]);
            if (xr < TimelineLayout.GUTTER || xw > w) continue;
            double yMid = r.y() + r.laneH() / 2;
            g.setStroke(c.get("-ks-runnable"));
            g.setLineWidth(2);
            g.strokeLine(Math.max(TimelineLayout.GUTTER, xw), yMid, Math.min(w, xr), yMid);
            g.setLineWidth(1);
            if (xw >= TimelineLayout.GUTTER) {
                g.setFill(c.get("-ks-wakeup"));
                g.fillPolygon(new double[]{xw - 4, xw + 4, xw}, new double[]{r.y() - 1, r.y() - 1, r.y() + 6}, 3);
                g.setStroke(c.get("-ks-wakeup"));
                g.strokeLine(snap(xw), r.y(), snap(xw), r.y() + r.laneH());
            }
            if (xr - xw > 60) {
                g.setFill(c.get("-ks-text"));
                g.setFont(FONT);
                g.setTextBaseline(VPos.BOTTOM);
                g.fillText("latency " + TimeFormat.duration(wk.ts2[i] - wk.ts[i]), Math.max(TimelineLayout.GUTTER, xw) + 5, r.y() + r.laneH() / 2 - 1);
                g.setTextBaseline(VPos.CENTER);
            }
        }
        // outline the selected thread's slices
        g.setStroke(c.get("-ks-highlight"));
        for (int k = 0; k < f.slices().length; k++) {
            TimelineLayout.Row r = lay.cpuRowAt(f.cpuFrom() + k);
            if (r.hidden() || r.y() < lay.scrollTop() || r.y() > h) continue;
            SliceBlock b = f.slices()[k];
            for (int j = 0; r != null && j < b.size; j++) {
                if (b.utid[j] != sel) continue;
                double x0 = Math.max(TimelineLayout.GUTTER, toX(b.ts[j])), x1 = Math.min(w, toX(b.ts[j] + b.dur[j]));
                if (x1 < TimelineLayout.GUTTER || x0 > w) continue;
                g.strokeRect(Math.floor(x0) + 0.5, r.y() + 0.5, Math.max(1, Math.floor(x1) - Math.floor(x0) - 1), r.laneH() - 1);
            }
        }
    }

    /** Slice under (x, y) as {row, block, index}, or null. */
    private Object[] hit(double x, double y) {
        TimelineFetcher.Frame f = frame;
        TimelineSource s = getSkinnable().getSource();
        if (f == null || s == null || x < TimelineLayout.GUTTER) return null;
        TimelineLayout.Row r = layout().rowAt(y);
        if (r == null || y >= r.y() + r.laneH()) return null;
        SliceBlock b = null;
        if (r.isPinned()) {
            List<Integer> pins = getSkinnable().pinnedUtids();
            boolean current = r.node() < f.pinned().length && r.node() < pins.size() && f.pinnedUtids()[r.node()] == pins.get(r.node());
            b = current ? f.pinned()[r.node()] : null;
        }
        else {
            List<CpuInfo> cpus = s.cpus();
            for (int k = 0; k < f.slices().length; k++) if (cpus.get(f.cpuFrom() + k).cpu() == r.cpu()) b = f.slices()[k];
        }
        if (b == null) return null;
        int idx = b.indexAt(toTime(x));
        if (idx < 0) { // thin slices: accept a hit within a pixel
            long tol = (long) Math.ceil(visible().duration() / plotW());
            idx = b.indexAt(toTime(x) - tol);
            if (idx < 0) idx = b.indexAt(toTime(x) + tol);
        }
        return idx < 0 ? null : new Object[]{r, b, idx};
    }

    List<String> hoverLines(TimelineSource s, TimelineLayout lay) {
        Object[] h = hit(mouseX, mouseY);
        if (h == null) return null;
        TimelineLayout.Row r = (TimelineLayout.Row) h[0];
        SliceBlock b = (SliceBlock) h[1];
        int i = (int) h[2];
        ThreadInfo ti = s.thread(b.utid[i]);
        List<String> out = new ArrayList<>();
        out.add(ti == null ? "utid " + b.utid[i] : "Thread   " + ti.name() + " [" + ti.tid() + "]");
        if (ti != null) out.add("Process  " + ti.processName() + " [" + ti.pid() + "]");
        if (!r.isPinned()) out.add("CPU      " + r.cpu());
        out.add("Start    +" + TimeFormat.duration(b.ts[i] - s.traceStart()));
        out.add("Duration " + TimeFormat.duration(b.dur[i]) + (b.merged[i] > 1 ? "  (" + b.merged[i] + " slices merged)" : ""));
        // what the thread did when the slice ended; merged slices ended in several ways, so none is named
        if (b.endState[i] != ThreadState.UNKNOWN) out.add("Then     " + ThreadState.label(b.endState[i]));
        if (b.latency[i] >= 0) out.add("Latency  " + TimeFormat.duration(b.latency[i]));
        return out;
    }

    /** {@code s} cut with an ellipsis to fit {@code px} at ~6.5 px per character of the 11 px font. */
    static String fit(String s, double px) {
        int n = (int) (px / 6.5);
        if (s.length() <= n) return s;
        return n < 3 ? "" : s.substring(0, n - 1) + "…";
    }

    // --- input ----------------------------------------------------------------------------------------------

    /** Zooms by {@code factor} (<1 zooms in) keeping the time under {@code x} fixed. */
    void zoomAt(double x, double factor) {
        TraceSelection sel = getSkinnable().getSelection();
        TimeRange v = visible();
        long t = toTime(x);
        long nd = Math.max(MIN_VISIBLE_NS, Math.min(sel.getBounds().duration(), Math.round(v.duration() * factor)));
        double frac = (x - TimelineLayout.GUTTER) / plotW();
        long ns = t - Math.round(frac * nd);
        sel.visibleRangeProperty().set(new TimeRange(ns, ns + nd).clampTo(sel.getBounds()));
        getSkinnable().fireChange();
    }

    void panBy(long dt) {
        TraceSelection sel = getSkinnable().getSelection();
        TimeRange v = visible();
        sel.visibleRangeProperty().set(new TimeRange(v.start() + dt, v.end() + dt).clampTo(sel.getBounds()));
        getSkinnable().fireChange();
    }

    /**
     * Wheel zooms around the pointer; shift+wheel, or the wheel over the lane names, scrolls the lanes
     * vertically (some platforms turn shift+wheel into a horizontal delta, so either delta counts).
     */
    private void onScroll(ScrollEvent e) {
        if (getSkinnable().getSource() == null) return;
        if (e.isShiftDown() || e.getX() < TimelineLayout.GUTTER) {
            double d = e.getDeltaY() != 0 ? e.getDeltaY() : e.getDeltaX();
            if (d == 0) return;
            scrollTo(scrollY - d);
        } else {
            if (e.getDeltaY() == 0) return;
            zoomAt(Math.max(TimelineLayout.GUTTER, e.getX()), Math.exp(-e.getDeltaY() * 0.008));
        }
        e.consume();
    }

    private void onKey(KeyEvent e) {
        // Ctrl/Alt combinations belong to the menus (Ctrl+W closes the tab, it does not zoom)
        if (getSkinnable().getSource() == null || e.isShortcutDown() || e.isAltDown()) return;
        double x = mouseX >= TimelineLayout.GUTTER ? mouseX : TimelineLayout.GUTTER + plotW() / 2;
        long d = visible().duration();
        TraceSelection sel = getSkinnable().getSelection();
        switch (e.getCode()) {
            case W -> zoomAt(x, 0.8);
            case S -> zoomAt(x, 1.25);
            case PLUS, EQUALS, ADD -> zoomAt(x, 0.5);
            case MINUS, SUBTRACT -> zoomAt(x, 2);
            case DIGIT0, NUMPAD0 -> getSkinnable().zoomToFit();
            case Z -> getSkinnable().zoomToSelection();
            case A -> panBy(-Math.max(1, d / 8));
            case D -> panBy(Math.max(1, d / 8));
            case UP -> scrollTo(scrollY - TimelineLayout.CPU_PITCH);
            case DOWN -> scrollTo(scrollY + TimelineLayout.CPU_PITCH);
            case PAGE_UP -> scrollTo(scrollY - pageHeight());
            case PAGE_DOWN -> scrollTo(scrollY + pageHeight());
            case HOME -> scrollTo(0);
            case END -> scrollTo(Double.MAX_VALUE);
            case P -> getSkinnable().togglePinned(sel.getSelectedUtid());
            case ESCAPE -> {
                sel.selectedRangeProperty().set(null);
                sel.selectedUtidProperty().set(TraceSelection.NONE);
                sel.selectedUpidProperty().set(TraceSelection.NONE);
                getSkinnable().fireChange();
            }
            default -> { return; }
        }
        e.consume();
    }

    /** One screen of lanes minus one lane, so a page step keeps a lane of context. */
    private double pageHeight() {
        return Math.max(TimelineLayout.CPU_PITCH, data.getHeight() - layout().scrollTop() - TimelineLayout.CPU_PITCH);
    }

    private void onPressed(MouseEvent e) {
        getSkinnable().requestFocus();
        if (getSkinnable().getSource() == null) return;
        pressX = e.getX();
        pressRange = visible();
        moved = false;
        if (e.getY() < TimelineLayout.OVERVIEW_H) {
            drag = Drag.OVERVIEW;
            centerOverviewAt(e.getX());
        } else if (e.isShiftDown() || e.getY() < TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H) {
            drag = Drag.SELECT;
            selectAnchor = toTime(Math.max(TimelineLayout.GUTTER, e.getX()));
        } else {
            drag = Drag.PAN;
        }
    }

    private void centerOverviewAt(double x) {
        TimelineSource s = getSkinnable().getSource();
        long t = s.traceStart() + Math.round((x - TimelineLayout.GUTTER) * (s.traceEnd() - s.traceStart()) / plotW());
        TraceSelection sel = getSkinnable().getSelection();
        long d = visible().duration();
        sel.visibleRangeProperty().set(new TimeRange(t - d / 2, t - d / 2 + d).clampTo(sel.getBounds()));
        getSkinnable().fireChange();
    }

    private void onDragged(MouseEvent e) {
        mouseX = e.getX(); mouseY = e.getY();
        if (Math.abs(e.getX() - pressX) > 2) moved = true;
        TraceSelection sel = getSkinnable().getSelection();
        switch (drag) {
            case PAN -> {
                long dt = Math.round((pressX - e.getX()) * pressRange.duration() / plotW());
                sel.visibleRangeProperty().set(new TimeRange(pressRange.start() + dt, pressRange.end() + dt).clampTo(sel.getBounds()));
            }
            case SELECT -> {
                if (!moved) return;
                long t = toTime(Math.max(TimelineLayout.GUTTER, e.getX()));
                sel.selectedRangeProperty().set(new TimeRange(Math.min(t, selectAnchor), Math.max(t, selectAnchor)));
            }
            case OVERVIEW -> centerOverviewAt(e.getX());
            default -> { }
        }
    }

    private void onReleased(MouseEvent e) {
        TraceSelection sel = getSkinnable().getSelection();
        TimelineLayout.Row header = drag == Drag.PAN && !moved ? layout().headerAt(e.getY()) : null;
        if (header != null) {
            var folded = getSkinnable().collapsedNodes();
            if (!folded.remove(header.node())) folded.add(header.node());
        } else if (drag == Drag.PAN && !moved) {
            Object[] h = hit(e.getX(), e.getY());
            if (h == null) {
                sel.selectedUtidProperty().set(TraceSelection.NONE);
                sel.selectedUpidProperty().set(TraceSelection.NONE);
            } else {
                SliceBlock b = (SliceBlock) h[1];
                int utid = b.utid[(int) h[2]];
                ThreadInfo ti = getSkinnable().getSource().thread(utid);
                sel.selectedUtidProperty().set(utid);
                sel.selectedUpidProperty().set(ti == null ? TraceSelection.NONE : ti.upid());
            }
            getSkinnable().fireChange();
        } else if (drag == Drag.SELECT && !moved) {
            sel.selectedRangeProperty().set(null);
            getSkinnable().fireChange();
        } else if (drag != Drag.NONE && drag != Drag.OVERVIEW) {
            getSkinnable().fireChange();
        }
        drag = Drag.NONE;
    }
}
