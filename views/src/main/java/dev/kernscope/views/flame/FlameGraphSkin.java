package dev.kernscope.views.flame;

import dev.kernscope.views.draw.Hash;
import dev.kernscope.views.draw.HoverCard;
import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.draw.TimeFormat;
import dev.kernscope.views.model.CallTree;
import dev.kernscope.views.model.FlameData;
import dev.kernscope.views.model.FlameMode;
import dev.kernscope.views.model.FrameKind;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.SkinBase;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;

/**
 * Header bar (mode, breadcrumbs, search, inversion toggle) above two canvases: frames and hover overlay, with a
 * vertical scroll bar when the stacks are deeper than the view (the wheel scrolls them).
 * Layout ({@link FlameLayout}) runs on a background thread, latest request wins; drawing walks the laid-out
 * rectangles only. Confined to the FX thread.
 */
public class FlameGraphSkin extends SkinBase<FlameGraph> {
    public static final double ROW_H = 17;
    private static final double SCROLLBAR_W = 12;
    private static final Font FONT = Font.font("DejaVu Sans", 11);
    private static final ExecutorService POOL = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kernscope-flame-layout");
        t.setDaemon(true);
        return t;
    });

    private final Canvas canvas = new Canvas();
    private final Canvas overlay = new Canvas();
    private final Label placeholder = new Label("No profile for this selection");
    private final HBox crumbs = new HBox(2);
    private final TextField searchField = new TextField();
    private final Label matchLabel = new Label();
    private final Label modeLabel = new Label();
    private final Label scopeLabel = new Label();
    private final ToggleButton invertButton = new ToggleButton("Inverted");
    private final StyleColors c;
    private final AtomicLong generation = new AtomicLong();
    private FlameLayout layout;
    private Color[] frameColors = new Color[0];
    private double mouseX = -1, mouseY = -1;
    private long lastDrawNanos;
    /** Shown when the rows do not fit; its value is {@link #scroll}. */
    private final ScrollBar vbar = new ScrollBar();
    /**
     * How far the rows are scrolled away from the root, in px: a flame's deeper rows come down into view from
     * above, an icicle's come up from below. 0 shows the root.
     */
    private double scroll;

    public FlameGraphSkin(FlameGraph fg) {
        super(fg);
        c = fg.styleColors();
        placeholder.getStyleClass().add("placeholder");
        searchField.setPromptText("Search frames");
        searchField.getStyleClass().add("search");
        searchField.textProperty().bindBidirectional(fg.searchProperty());
        searchField.setOnKeyPressed(e -> { if (e.getCode() == KeyCode.ESCAPE) searchField.clear(); });
        invertButton.selectedProperty().bindBidirectional(fg.invertedProperty());
        matchLabel.getStyleClass().add("match-label");
        modeLabel.getStyleClass().add("mode-label");
        scopeLabel.getStyleClass().add("scope-label");
        crumbs.getStyleClass().add("breadcrumbs");
        crumbs.setAlignment(Pos.CENTER_LEFT);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, modeLabel, scopeLabel, crumbs, spacer, matchLabel, searchField, invertButton);
        bar.getStyleClass().add("header");
        bar.setAlignment(Pos.CENTER_LEFT);
        vbar.setOrientation(javafx.geometry.Orientation.VERTICAL);
        vbar.setFocusTraversable(false);
        vbar.setVisible(false);
        vbar.setUnitIncrement(ROW_H);
        vbar.valueProperty().addListener(o -> { if (!syncing) scrollTo(barToScroll(vbar.getValue())); });
        Pane canvases = new Pane(canvas, overlay, vbar) {
            @Override protected void layoutChildren() {
                double w = getWidth(), h = getHeight();
                // the tree's depth, not the layout's, decides: the layout depends on the width the bar leaves
                boolean bar = contentHeight(maxDepth()) > h;
                double cw = bar ? Math.max(1, w - SCROLLBAR_W) : w;
                boolean changed = canvas.getWidth() != cw || canvas.getHeight() != h;
                canvas.setWidth(cw); canvas.setHeight(h); overlay.setWidth(cw); overlay.setHeight(h);
                vbar.setVisible(bar);
                vbar.resizeRelocate(cw, 0, SCROLLBAR_W, h);
                if (changed) relayout();
                else syncScroll();
            }
        };
        canvases.setMinSize(0, 0);
        canvases.setOnScroll(this::onScroll);
        overlay.setMouseTransparent(true);
        StackPane body = new StackPane(canvases, placeholder);
        VBox.setVgrow(body, Priority.ALWAYS);
        VBox root = new VBox(bar, body);
        getChildren().add(root);

        InvalidationListener re = o -> relayout();
        fg.dataProperty().addListener(re);
        fg.invertedProperty().addListener(re);
        fg.zoomNodeProperty().addListener(re);
        fg.searchProperty().addListener(re);
        fg.modeProperty().addListener(o -> { updateHeader(); draw(); });
        TraceSelection sel = fg.getSelection();
        sel.selectedRangeProperty().addListener(o -> updateHeader());
        sel.selectedUtidProperty().addListener(o -> updateHeader());
        fg.threadNamesProperty().addListener(o -> updateHeader());
        c.addListener(o -> { frameColors = new Color[0]; draw(); });
        canvas.setOnMouseMoved(e -> { mouseX = e.getX(); mouseY = e.getY(); drawOverlay(); });
        canvas.setOnMouseExited(e -> { mouseX = -1; drawOverlay(); });
        canvas.setOnMouseClicked(this::onClick);
        updateHeader();
        relayout();
    }

    /** The last computed layout (for tests), or null. */
    public FlameLayout layoutResult() { return layout; }

    /** Wall time of the last frame redraw in ns, for the benchmark. */
    public long lastDrawNanos() { return lastDrawNanos; }

    /** Top y of a row in canvas coordinates: flame rows grow up from the bottom, icicle rows hang down. */
    public double rowY(int row) {
        FlameLayout l = layout;
        boolean icicle = l != null && l.tree.inverted();
        return icicle ? row * ROW_H - scroll : canvas.getHeight() - (row + 1) * ROW_H + scroll;
    }

    // The canvases are sized to the room the graph gets; SkinBase would report their size as its minimum.
    @Override protected double computeMinWidth(double h, double t, double r, double b, double l) { return l + r + 200; }

    @Override protected double computeMinHeight(double w, double t, double r, double b, double l) { return t + b + 80; }

    @Override protected double computePrefWidth(double h, double t, double r, double b, double l) { return l + r + 800; }

    @Override protected double computePrefHeight(double w, double t, double r, double b, double l) { return t + b + 300; }

    private int maxDepth() {
        FlameGraph fg = getSkinnable();
        FlameData d = fg.getData();
        if (d == null) return 0;
        CallTree t = fg.invertedProperty().get() && d.bottomUp() != null ? d.bottomUp() : d.topDown();
        return t == null ? 0 : t.maxDepth();
    }

    private static double contentHeight(int maxRow) { return (maxRow + 1) * ROW_H; }

    /** Largest useful scroll: the deepest laid-out row just inside the view. */
    private double maxScroll() {
        FlameLayout l = layout;
        return l == null ? 0 : Math.max(0, contentHeight(l.maxRow()) - canvas.getHeight());
    }

    /** Current scroll away from the root in px (0 shows the root), for tests. */
    public double scrollOffset() { return scroll; }

    /** Scrolls {@code px} away from the root (clamped); the deepest frames are at {@link #maxScroll()}. */
    public void scrollTo(double px) {
        double v = Math.round(Math.max(0, Math.min(px, maxScroll())));
        if (v == scroll) return;
        scroll = v;
        syncScroll();
        draw();
    }

    // The bar reads top to bottom; for a flame (root at the bottom) its value runs the other way from the scroll.
    private boolean icicle() { return layout != null && layout.tree.inverted(); }

    private double barToScroll(double v) { return icicle() ? v : maxScroll() - v; }

    private boolean syncing;

    private void syncScroll() {
        if (syncing) return;
        syncing = true;
        try { syncBar(); } finally { syncing = false; }
    }

    private void syncBar() {
        double max = maxScroll();
        if (scroll > max) scroll = max;
        vbar.setMin(0);
        vbar.setMax(max);
        double h = canvas.getHeight();
        vbar.setVisibleAmount(max <= 0 ? 1 : h * max / Math.max(1, h + max - 0));
        vbar.setBlockIncrement(Math.max(ROW_H, h - ROW_H));
        double want = icicle() ? scroll : max - scroll;
        if (vbar.getValue() != want) vbar.setValue(want);
    }

    /** The wheel scrolls the rows: up shows deeper frames of a flame, down deeper frames of an icicle. */
    private void onScroll(ScrollEvent e) {
        double d = e.getDeltaY();
        if (d == 0 || layout == null) return;
        scrollTo(scroll + (icicle() ? -d : d));
        e.consume();
    }

    private void relayout() {
        FlameGraph fg = getSkinnable();
        FlameData d = fg.getData();
        placeholder.setVisible(d == null);
        updateHeader();
        if (d == null || canvas.getWidth() < 1) { layout = null; draw(); return; }
        boolean inv = fg.invertedProperty().get();
        int zoom = fg.zoomNodeProperty().get();
        double w = canvas.getWidth();
        String q = fg.searchProperty().get();
        long gen = generation.incrementAndGet();
        fg.busy.set(true);
        POOL.execute(() -> {
            if (generation.get() != gen) return;
            CallTree t = inv ? d.bottomUp() : d.topDown();
            if (t == null) t = d.topDown();
            FlameLayout l = FlameLayout.compute(t, Math.min(zoom, t.size() - 1), w, q);
            Platform.runLater(() -> {
                if (generation.get() != gen) return;
                if (layout == null || layout.tree != l.tree || layout.zoom != l.zoom) scroll = 0;
                layout = l;
                syncScroll();
                fg.busy.set(false);
                fg.matchShare.set(l.matchShare);
                updateHeader();
                draw();
            });
        });
    }

    private void updateHeader() {
        FlameGraph fg = getSkinnable();
        FlameMode m = fg.modeProperty().get();
        modeLabel.setText(m.label() + (fg.invertedProperty().get() ? " · bottom-up" : " · top-down"));
        TraceSelection s = fg.getSelection();
        TimeRange r = s.getSelectedRange();
        String scope = (r == null ? "whole trace" : TimeFormat.duration(r.duration()) + " selected")
                + (s.getSelectedUtid() >= 0 ? " · " + fg.threadName(s.getSelectedUtid()) : "");
        scopeLabel.setText(scope);
        FlameLayout l = layout;
        double share = l == null ? Double.NaN : l.matchShare;
        matchLabel.setText(Double.isNaN(share) ? "" : String.format(Locale.ROOT, "%,d %s · %.1f%% of total",
                l.matchCount, l.matchCount == 1 ? "match" : "matches", share * 100));
        crumbs.getChildren().clear();
        if (l == null) return;
        List<Integer> path = new ArrayList<>();
        for (int n = l.zoom; n >= 0; n = l.tree.parent(n)) path.add(0, n);
        for (int i = 0; i < path.size(); i++) {
            int n = path.get(i);
            if (i > 0) { Label sep = new Label("›"); sep.getStyleClass().add("crumb-separator"); crumbs.getChildren().add(sep); }
            Hyperlink h = new Hyperlink(ellipsize(l.tree.name(n), 28));
            h.getStyleClass().add("crumb");
            h.setOnAction(e -> fg.zoomNodeProperty().set(n));
            crumbs.getChildren().add(h);
        }
    }

    private static String ellipsize(String s, int n) { return s.length() <= n ? s : s.substring(0, n - 1) + "…"; }

    Color frameColor(CallTree t, int node) {
        if (node == CallTree.ROOT) return c.get("-ks-root");
        int f = t.frame(node);
        if (frameColors.length != t.frames().size()) frameColors = new Color[t.frames().size()];
        Color col = frameColors[f];
        if (col == null) {
            FrameKind k = t.kind(node);
            Color base = c.get(switch (k) {
                case KERNEL -> "-ks-kernel";
                case USER -> "-ks-user";
                case JIT -> "-ks-jit";
                default -> "-ks-unknown";
            });
            int h = Hash.of(t.frames().name(f));
            // vary hue a little and lightness more, within the kind's warm or cool family
            col = base.deriveColor((h % 19) - 9, 0.85 + ((h >> 8) % 16) / 50.0, 0.88 + ((h >> 16) % 16) / 60.0, 1);
            frameColors[f] = col;
        }
        return col;
    }

    /** Redraws the frames from the current layout (no relayout); the benchmark times it. */
    public void draw() {
        long t0 = System.nanoTime();
        GraphicsContext g = canvas.getGraphicsContext2D();
        double W = canvas.getWidth(), H = canvas.getHeight();
        g.setFill(c.get("-ks-background"));
        g.fillRect(0, 0, W, H);
        FlameLayout l = layout;
        if (l == null || getSkinnable().getData() == null) { drawOverlay(); return; }
        boolean searching = !Double.isNaN(l.matchShare);
        g.setFont(FONT);
        g.setTextBaseline(VPos.CENTER);
        Color textCol = c.get("-ks-frame-text"), merged = c.get("-ks-merged"), match = c.get("-ks-match");
        for (int i = 0; i < l.size; i++) {
            double y = rowY(l.row[i]);
            if (y + ROW_H < 0 || y > H) continue;
            double x0 = Math.floor(l.x[i]);
            double x1 = Math.max(x0 + 1, Math.floor(l.x[i] + l.w[i]));
            double ww = x1 - x0 - (x1 - x0 > 2 ? 1 : 0); // 1 px gap between frames that are wide enough
            Color col;
            if (l.merged[i] > 0) col = merged;
            else if (l.match[i]) col = match;
            else {
                col = frameColor(l.tree, l.node[i]);
                if (searching) col = col.deriveColor(0, 0.25, 0.6, 1);
                else if (l.node[i] != l.zoom && isAncestorOfZoom(l, l.node[i])) col = col.deriveColor(0, 0.5, 0.8, 1);
            }
            g.setFill(col);
            g.fillRect(x0, y, ww, ROW_H - 1);
            if (ww > 28) {
                String label = l.merged[i] > 0 ? "+" + l.merged[i] : l.tree.name(l.node[i]);
                int chars = (int) ((ww - 6) / 6.6);
                if (chars >= 2) {
                    if (label.length() > chars) label = label.substring(0, chars - 1) + "…";
                    g.setFill(textCol);
                    g.fillText(label, x0 + 3, y + ROW_H / 2);
                }
            }
        }
        lastDrawNanos = System.nanoTime() - t0;
        drawOverlay();
    }

    private static boolean isAncestorOfZoom(FlameLayout l, int n) {
        for (int a = l.tree.parent(l.zoom); a >= 0; a = l.tree.parent(a)) if (a == n) return true;
        return false;
    }

    private int hitRect(double x, double y) {
        FlameLayout l = layout;
        if (l == null) return -1;
        int row = l.tree.inverted() ? (int) Math.floor((y + scroll) / ROW_H)
                : (int) Math.floor((canvas.getHeight() - y + scroll) / ROW_H);
        return row < 0 ? -1 : l.rectAt(x, row);
    }

    private void drawOverlay() {
        GraphicsContext g = overlay.getGraphicsContext2D();
        double W = overlay.getWidth(), H = overlay.getHeight();
        g.clearRect(0, 0, W, H);
        FlameLayout l = layout;
        if (l == null || mouseX < 0) return;
        int i = hitRect(mouseX, mouseY);
        if (i < 0) return;
        double y = rowY(l.row[i]);
        g.setStroke(c.get("-ks-text"));
        g.strokeRect(Math.floor(l.x[i]) + 0.5, y + 0.5, Math.max(1, Math.floor(l.w[i]) - 1), ROW_H - 2);
        CallTree t = l.tree;
        long rootTotal = t.total(CallTree.ROOT);
        List<String> lines = new ArrayList<>();
        if (l.merged[i] > 0) {
            long sum = 0;
            int n = l.node[i];
            for (int k = 0; k < t.childCount(n); k++) {
                int ch = t.child(n, k);
                if (t.total(ch) * (l.width / t.total(l.zoom)) < FlameLayout.MIN_PX) sum += t.total(ch);
            }
            lines.add(l.merged[i] + " frames narrower than a pixel");
            lines.add("Total  " + weight(sum, -1) + pct(sum, rootTotal));
        } else {
            int n = l.node[i];
            lines.add(t.name(n));
            lines.add("Kind   " + t.kind(n).name().toLowerCase(Locale.ROOT));
            lines.add("Total  " + weight(t.total(n), t.samples(n)) + pct(t.total(n), rootTotal));
            lines.add("Self   " + weight(t.self(n), -1) + pct(t.self(n), rootTotal));
        }
        HoverCard.draw(g, c, FONT, lines, mouseX, mouseY, W, H);
    }

    /** A weight in its unit, with the number of samples behind it when known ({@code samples} < 0: not). */
    private String weight(long w, long samples) {
        String v = getSkinnable().modeProperty().get().weightIsNanos() ? TimeFormat.duration(w) : String.format(Locale.ROOT, "%,d", w);
        return samples < 0 ? v : v + String.format(Locale.ROOT, " · %,d sample%s", samples, samples == 1 ? "" : "s");
    }

    private static String pct(long part, long whole) {
        return whole == 0 ? "" : String.format(Locale.ROOT, "  (%.2f%%)", 100.0 * part / whole);
    }

    private void onClick(MouseEvent e) {
        getSkinnable().requestFocus();
        FlameLayout l = layout;
        int i = hitRect(e.getX(), e.getY());
        if (l == null || i < 0) return;
        getSkinnable().zoomNodeProperty().set(l.node[i]); // a merged rect zooms into its parent
    }
}
