package dev.kernscope.views.timeline;

import java.util.Arrays;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;

/**
 * Lane contents of one redraw as pixel rows: a slice lane is one row of ARGB colours stretched to the lane's
 * height, a run-queue track is a row of bar heights. A dense row (zoomed out: a different thread every pixel)
 * goes into a single shared image and costs one {@code drawImage} instead of a fill command per pixel-wide
 * slice, for the FX thread and the rasteriser alike; a sparse row (zoomed in) is drawn as its few rectangles.
 * Image rows are handed out in order from {@link #begin}; the next redraw rewrites them and paints over this one.
 * Confined to the FX thread.
 */
final class LanePixels {
    /** Colours here are opaque or fully transparent, so premultiplied equals straight and no pixel is multiplied. */
    private static final PixelFormat<java.nio.IntBuffer> ARGB = PixelFormat.getIntArgbPreInstance();
    /** Up to this many runs of one colour a row is drawn as rectangles: cheaper than converting an image row. */
    private static final int MAX_RECTS = 24;
    private WritableImage image;
    private int width;
    private int[] buf = new int[0];
    private int next;
    private int lastArgb;
    private Color lastColor;

    /** Starts a redraw of lanes {@code width} px wide; {@code rows} is a hint for the rows it will take. */
    void begin(int width, int rows) {
        rows = Math.max(1, rows);
        if (image == null || this.width != width || image.getHeight() < rows) {
            this.width = width;
            image = new WritableImage(Math.max(1, width), rows);
        }
        next = 0;
    }

    int width() { return width; }

    /** The buffer for one row of {@link #width()} pixels, zeroed (transparent), to fill and then {@link #drawRow}. */
    int[] row() {
        if (buf.length < width) buf = new int[width];
        Arrays.fill(buf, 0, width, 0);
        return buf;
    }

    /**
     * Draws the row filled since {@link #row} at (dx, dy) stretched to {@code dh}: as a few rectangles when it
     * has few runs of one colour (zoomed in), else as one image row.
     */
    void drawRow(GraphicsContext g, double dx, double dy, double dh) {
        int runs = 0;
        for (int x = 0, prev = 0; x < width && runs <= MAX_RECTS; x++) {
            if (buf[x] != prev && buf[x] != 0) runs++;
            prev = buf[x];
        }
        if (runs > MAX_RECTS) { draw(g, 1, dx, dy, dh); return; }
        for (int x = 0; x < width; ) {
            int v = buf[x], e = x + 1;
            while (e < width && buf[e] == v) e++;
            if (v != 0) { g.setFill(color(v)); g.fillRect(dx + x, dy, e - x, dh); }
            x = e;
        }
    }

    /** Bars of {@code heights[x]} px (at most {@code rh}) at (dx, dy + rh - height): rectangles or an image. */
    void drawBars(GraphicsContext g, int[] heights, int rh, Color color, double dx, double dy) {
        int runs = 0;
        for (int x = 0, prev = 0; x < width && runs <= MAX_RECTS; x++) {
            if (heights[x] != prev && heights[x] != 0) runs++;
            prev = heights[x];
        }
        if (runs <= MAX_RECTS) {
            g.setFill(color);
            for (int x = 0; x < width; ) {
                int v = heights[x], e = x + 1;
                while (e < width && heights[e] == v) e++;
                if (v > 0) g.fillRect(dx + x, dy + rh - v, e - x, v);
                x = e;
            }
            return;
        }
        int n = width * rh;
        if (buf.length < n) buf = new int[n];
        int col = argb(color);
        for (int k = 0, o = 0; k < rh; k++, o += width) { // every pixel written row by row: no clearing pass
            int minH = rh - k;
            for (int x = 0; x < width; x++) buf[o + x] = heights[x] >= minH ? col : 0;
        }
        draw(g, rh, dx, dy, rh);
    }

    /** Copies the first {@code height} rows of the buffer into the image and draws them at (dx, dy), dh tall. */
    private void draw(GraphicsContext g, int height, double dx, double dy, double dh) {
        if (width <= 0) return;
        if (next + height > image.getHeight()) { // more lanes than announced: a fresh image, earlier ones stay drawn
            image = new WritableImage(width, Math.max(next + height, (int) image.getHeight() * 2));
            next = 0;
        }
        image.getPixelWriter().setPixels(0, next, width, height, ARGB, buf, 0, width);
        g.drawImage(image, 0, next, width, height, dx, dy, width, dh);
        next += height;
    }

    private Color color(int argb) {
        if (argb != lastArgb || lastColor == null) {
            lastArgb = argb;
            lastColor = Color.rgb(argb >> 16 & 0xff, argb >> 8 & 0xff, argb & 0xff);
        }
        return lastColor;
    }

    /** Opaque ARGB of a colour. */
    static int argb(Color c) {
        return 0xff000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                | (int) Math.round(c.getBlue() * 255);
    }
}
