package dev.kernscope.views.draw;

import java.util.List;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * The tooltip card the canvas skins draw beside the pointer: a rounded box of text lines, the first in
 * {@code -ks-text} and the rest dimmed, flipped to the pointer's other side where it would leave the canvas.
 * Stateless; call it on the FX thread.
 */
public final class HoverCard {
    private static final double LINE_H = 15, CHAR_W = 6.7;

    private HoverCard() {}

    /**
     * Draws {@code lines} next to the pointer at ({@code px}, {@code py}) on a {@code w} × {@code h} canvas. Leaves
     * {@code font}, left alignment and a centred baseline set on {@code g}, as the skins' own text expects.
     */
    public static void draw(GraphicsContext g, StyleColors c, Font font, List<String> lines,
                            double px, double py, double w, double h) {
        g.setFont(font);
        g.setTextAlign(TextAlignment.LEFT);
        double cw = 0;
        for (String l : lines) cw = Math.max(cw, l.length() * CHAR_W);
        cw += 16;
        double ch = lines.size() * LINE_H + 10;
        double x = px + 14, y = py + 14;
        if (x + cw > w) x = px - cw - 8;
        if (y + ch > h) y = Math.max(0, py - ch - 8);
        g.setFill(c.get("-ks-tooltip-background"));
        g.fillRoundRect(x, y, cw, ch, 6, 6);
        g.setStroke(c.get("-ks-tooltip-border"));
        g.strokeRoundRect(x + 0.5, y + 0.5, cw - 1, ch - 1, 6, 6);
        g.setTextBaseline(VPos.TOP);
        for (int k = 0; k < lines.size(); k++) {
            g.setFill(k == 0 ? c.get("-ks-text") : c.get("-ks-text-dim"));
            g.fillText(lines.get(k), x + 8, y + 5 + k * LINE_H);
        }
        g.setTextBaseline(VPos.CENTER);
    }
}
