package dev.kernscope.views.analysis;

import dev.kernscope.views.draw.HoverCard;
import dev.kernscope.views.draw.TimeFormat;
import dev.kernscope.views.model.SpanRows;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.SkinBase;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/** Draws {@link SpanTrack} on one canvas: a time axis, then a row per track; at most one span per pixel per row. */
final class SpanTrackSkin extends SkinBase<SpanTrack> {
    static final double GUTTER = 150, AXIS = 20, ROW = 26, GAP = 6;
    private static final Font FONT = Font.font(11);
    private final Canvas canvas = new Canvas();
    private double hoverX = -1, hoverY = -1;

    SpanTrackSkin(SpanTrack c) {
        super(c);
        getChildren().add(canvas);
        c.rowsProperty().addListener(o -> draw());
        c.placeholderProperty().addListener(o -> draw());
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

    @Override protected double computeMinHeight(double w, double t, double r, double b, double l) { return 40; }

    @Override protected double computePrefHeight(double w, double t, double r, double b, double l) {
        SpanRows rows = getSkinnable().getRows();
        return t + b + AXIS + (rows == null ? 1 : rows.rows().size()) * (ROW + GAP) + GAP;
    }

    private Color color(String css) {
        return getSkinnable().styleColors().get(css);
    }

    private Color kindColor(byte kind) {
        return switch (kind) {
            case SpanRows.RUNNING -> color("-ks-running");
            case SpanRows.RUNNABLE -> color("-ks-runnable");
            case SpanRows.SLEEPING -> color("-ks-sleeping");
            case SpanRows.UNINTERRUPTIBLE -> color("-ks-uninterruptible");
            default -> color("-ks-other");
        };
    }

    void draw() {
        double w = canvas.getWidth(), h = canvas.getHeight();
        if (w <= 0 || h <= 0) return;
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setFill(color("-ks-background"));
        g.fillRect(0, 0, w, h);
        g.setFont(FONT);
        g.setTextBaseline(VPos.CENTER);
        SpanRows rows = getSkinnable().getRows();
        if (rows == null || rows.to() <= rows.from()) {
            g.setFill(color("-ks-text-dim"));
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(getSkinnable().placeholderProperty().get(), w / 2, Math.min(h / 2, 40));
            return;
        }
        double span = Math.max(1, w - GUTTER - 8);
        double nsPerPx = (rows.to() - rows.from()) / span;
        axis(g, rows, nsPerPx, w);
        List<String> hover = null;
        for (int r = 0; r < rows.rows().size(); r++) {
            SpanRows.Row row = rows.rows().get(r);
            double y = AXIS + GAP + r * (ROW + GAP);
            g.setFill(color("-ks-text"));
            g.setTextAlign(TextAlignment.LEFT);
            g.fillText(ellipsize(row.label(), GUTTER - 12), 6, y + ROW / 2);
            double lastPx = -1;
            for (int i = 0; i < row.size(); i++) {
                double x0 = GUTTER + (row.start()[i] - rows.from()) / nsPerPx, x1 = GUTTER + (row.end()[i] - rows.from()) / nsPerPx;
                if (x1 < GUTTER || x0 > w) continue;
                x0 = Math.max(GUTTER, x0);
                x1 = Math.min(w, x1);
                if (x1 - x0 < 1) {
                    // one span per pixel: the first that reaches a pixel stands for the others in it
                    if (Math.floor(x0) <= lastPx) continue;
                    x1 = x0 + 1;
                }
                lastPx = Math.floor(x1 - 0.01);
                g.setFill(kindColor(row.kind()[i]));
                g.fillRect(x0, y, x1 - x0, ROW);
                String name = row.name()[i];
                if (name != null && x1 - x0 > 30) {
                    // dark text on the light running and runnable colours, light text on the dark blocked ones
                    byte k = row.kind()[i];
                    g.setFill(color(k == SpanRows.RUNNING || k == SpanRows.RUNNABLE ? "-ks-background" : "-ks-text"));
                    g.setTextAlign(TextAlignment.LEFT);
                    g.fillText(ellipsize(name, x1 - x0 - 6), x0 + 3, y + ROW / 2);
                }
                if (hoverY >= y && hoverY < y + ROW && hoverX >= Math.floor(x0) && hoverX < Math.max(x1, Math.floor(x0) + 1)) {
                    hover = new ArrayList<>();
                    hover.add(name != null ? name : row.label());
                    if (row.detail()[i] != null) hover.addAll(List.of(row.detail()[i].split("\n")));
                    hover.add(TimeFormat.duration(row.end()[i] - row.start()[i]) + " from "
                            + TimeFormat.duration(row.start()[i] - rows.from()) + " into the range");
                }
            }
            // marks: a tick at the top of the row, the hover names the nearest within 3 px
            for (int m = 0; m < row.markTs().length; m++) {
                double mx = GUTTER + (row.markTs()[m] - rows.from()) / nsPerPx;
                if (mx < GUTTER || mx > w) continue;
                g.setFill(color("-ks-mark"));
                g.fillPolygon(new double[] {mx - 4, mx + 4, mx}, new double[] {y, y, y + 7}, 3);
                if (hoverY >= y && hoverY < y + ROW && Math.abs(hoverX - mx) <= 3) {
                    hover = new ArrayList<>(List.of(row.markText()[m].split("\n")));
                }
            }
            g.setStroke(color("-ks-separator"));
            g.strokeLine(0, y + ROW + GAP / 2 + 0.5, w, y + ROW + GAP / 2 + 0.5);
        }
        if (hover != null) HoverCard.draw(g, getSkinnable().styleColors(), FONT, hover, hoverX, hoverY, w, h);
    }

    private void axis(GraphicsContext g, SpanRows rows, double nsPerPx, double w) {
        long step = TimeFormat.niceStep(nsPerPx, 90);
        g.setStroke(color("-ks-separator"));
        g.setFill(color("-ks-text-dim"));
        g.setTextAlign(TextAlignment.LEFT);
        int ticks = 0;
        for (long t = 0; t <= rows.to() - rows.from() && ticks < TimeFormat.MAX_TICKS; t += step, ticks++) {
            double x = GUTTER + t / nsPerPx;
            if (x > w) break;
            g.strokeLine(x + 0.5, AXIS - 5, x + 0.5, AXIS);
            g.fillText("+" + TimeFormat.format(t, step), x + 3, AXIS / 2);
        }
        g.strokeLine(GUTTER, AXIS + 0.5, w, AXIS + 0.5);
    }

    private static String ellipsize(String s, double px) {
        int max = (int) (px / 6.5);
        if (max <= 1) return "";
        return s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "…";
    }
}
