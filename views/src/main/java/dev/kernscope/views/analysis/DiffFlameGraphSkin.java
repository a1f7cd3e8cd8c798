package dev.kernscope.views.analysis;

import dev.kernscope.views.draw.HoverCard;
import dev.kernscope.views.draw.TimeFormat;
import dev.kernscope.views.model.DiffFlameData;
import java.util.List;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.SkinBase;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/** Draws {@link DiffFlameGraph} top-down on one canvas; frames narrower than half a pixel are skipped with their subtree. */
final class DiffFlameGraphSkin extends SkinBase<DiffFlameGraph> {
    static final double ROW = 18, LEGEND = 22;
    private static final Font FONT = Font.font(11);
    private final Canvas canvas = new Canvas();
    private double hoverX = -1, hoverY = -1;
    /** The node under the pointer at the last draw, -1 for none. */
    private int hovered = -1;

    DiffFlameGraphSkin(DiffFlameGraph c) {
        super(c);
        getChildren().add(canvas);
        c.dataProperty().addListener(o -> draw());
        c.normalizedProperty().addListener(o -> draw());
        c.styleColors().addListener(o -> draw());
        canvas.setOnMouseMoved(e -> { hoverX = e.getX(); hoverY = e.getY(); draw(); });
        canvas.setOnMouseExited(e -> { hoverX = hoverY = -1; draw(); });
    }

    @Override protected void layoutChildren(double x, double y, double w, double h) {
        canvas.setLayoutX(x);
        canvas.setLayoutY(y);
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            draw();
        }
    }

    @Override protected double computeMinWidth(double h, double t, double r, double b, double l) { return 200; }

    @Override protected double computeMinHeight(double w, double t, double r, double b, double l) { return 60; }

    int hovered() { return hovered; }

    private Color color(String css) {
        return getSkinnable().styleColors().get(css);
    }

    private Color changeColor(double change) {
        Color same = color("-ks-same");
        double k = Math.min(1, Math.abs(change) * 1.5);
        return same.interpolate(color(change > 0 ? "-ks-grew" : "-ks-shrank"), k);
    }

    void draw() {
        double w = canvas.getWidth(), h = canvas.getHeight();
        if (w <= 0 || h <= 0) return;
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setFill(color("-ks-background"));
        g.fillRect(0, 0, w, h);
        g.setFont(FONT);
        g.setTextBaseline(VPos.CENTER);
        DiffFlameData d = getSkinnable().getData();
        hovered = -1;
        if (d == null || d.size() == 0 || d.totalB()[0] <= 0) {
            g.setFill(color("-ks-text-dim"));
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(getSkinnable().placeholderProperty().get(), w / 2, Math.min(h / 2, 40));
            return;
        }
        legend(g, d, w);
        double pxPerNs = w / d.totalB()[0];
        int n = d.size();
        double[] x = new double[n];
        double[] next = new double[n]; // where a node's next child starts
        x[0] = 0;
        next[0] = 0;
        int[] parent = new int[d.maxDepthHint()];
        for (int i = 0; i < n; ) {
            int depth = d.depth()[i];
            double wi = d.totalB()[i] * pxPerNs;
            if (i > 0) {
                int p = parent[depth - 1];
                x[i] = next[p];
                next[p] += wi;
            }
            next[i] = x[i];
            if (depth < parent.length) parent[depth] = i;
            double y = LEGEND + depth * ROW;
            if (wi < 0.5 || y > h) { // too narrow (or below the canvas): skip the subtree
                i = d.end()[i];
                continue;
            }
            if (i > 0) {
                double change = d.change(i, getSkinnable().normalizedProperty().get());
                g.setFill(changeColor(change));
                g.fillRect(x[i], y, Math.max(1, wi - 0.5), ROW - 1);
                if (wi > 30) {
                    g.setFill(color("-ks-frame-text"));
                    g.setTextAlign(TextAlignment.LEFT);
                    String s = d.name()[i];
                    int max = (int) ((wi - 6) / 6.5);
                    g.fillText(s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "…", x[i] + 3, y + ROW / 2);
                }
            } else {
                g.setFill(color("-ks-same"));
                g.fillRect(0, y, w, ROW - 1);
                g.setFill(color("-ks-frame-text"));
                g.setTextAlign(TextAlignment.LEFT);
                g.fillText("all", 3, y + ROW / 2);
            }
            if (hoverY >= y && hoverY < y + ROW && hoverX >= x[i] && hoverX < x[i] + Math.max(1, wi)) hovered = i;
            i++;
        }
        if (hovered >= 0) {
            int i = hovered;
            double a = d.totalA()[i], b = d.totalB()[i];
            String pa = String.format("%.1f %%", 100 * a / Math.max(1, d.totalA()[0]));
            String pb = String.format("%.1f %%", 100 * b / Math.max(1, d.totalB()[0]));
            HoverCard.draw(g, getSkinnable().styleColors(), FONT, List.of(i == 0 ? "all" : d.name()[i],
                    d.labelA() + ": " + TimeFormat.duration((long) a) + " (" + pa + ")",
                    d.labelB() + ": " + TimeFormat.duration((long) b) + " (" + pb + ")",
                    String.format(getSkinnable().normalizedProperty().get() ? "share %+.0f %%" : "weight %+.0f %%",
                            100 * d.change(i, getSkinnable().normalizedProperty().get()))), hoverX, hoverY, w, h);
        }
    }

    private void legend(GraphicsContext g, DiffFlameData d, double w) {
        g.setTextAlign(TextAlignment.LEFT);
        double x = 6;
        for (double c : new double[] {-1, -0.5, 0, 0.5, 1}) {
            g.setFill(changeColor(c));
            g.fillRect(x, 5, 14, 12);
            x += 16;
        }
        g.setFill(color("-ks-text-dim"));
        g.fillText("shrank ← " + (getSkinnable().normalizedProperty().get() ? "share" : "weight") + " of " + d.labelB()
                + " vs " + d.labelA() + " → grew;  width: " + d.labelB(), x + 6, 11);
    }
}
