import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

/** Draws kernscope.svg's icon as PNGs without an SVG renderer: java MakeIcon.java OUT_DIR SIZE... */
public class MakeIcon {
    public static void main(String[] a) throws Exception {
        for (int i = 1; i < a.length; i++) {
            int s = Integer.parseInt(a[i]);
            BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.scale(s / 64.0, s / 64.0);
            g.setColor(new Color(0x17191e));
            g.fill(new RoundRectangle2D.Double(2, 2, 60, 60, 24, 24));
            g.setColor(new Color(0x343842));
            g.setStroke(new BasicStroke(1f));
            g.draw(new RoundRectangle2D.Double(2.5, 2.5, 59, 59, 23, 23));
            bar(g, 10, 13, 20, 0x5fb3f9); bar(g, 33, 13, 21, 0xc792ea);
            bar(g, 10, 24, 12, 0xffd166); bar(g, 25, 24, 29, 0x5fb3f9);
            bar(g, 10, 35, 30, 0x7fd99a); bar(g, 43, 35, 11, 0xff8a65);
            Path2D p = new Path2D.Double();
            int[][] pts = {{10, 53}, {18, 48}, {26, 51}, {34, 45}, {42, 50}, {54, 46}};
            p.moveTo(pts[0][0], pts[0][1]);
            for (int k = 1; k < pts.length; k++) p.lineTo(pts[k][0], pts[k][1]);
            g.setColor(new Color(0x8d99ad));
            g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(p);
            g.dispose();
            ImageIO.write(img, "png", new File(a[0], "kernscope-" + s + ".png"));
        }
    }

    static void bar(Graphics2D g, double x, double y, double w, int rgb) {
        g.setColor(new Color(rgb));
        g.fill(new RoundRectangle2D.Double(x, y, w, 8, 4, 4));
    }
}
