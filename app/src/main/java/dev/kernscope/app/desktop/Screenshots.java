package dev.kernscope.app.desktop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.WritableImage;
import javafx.scene.transform.Transform;
import javax.imageio.ImageIO;

/** PNG snapshots of a node or a whole scene at screen or 2× scale. Call on the FX thread. */
public final class Screenshots {
    private Screenshots() {}

    /** Writes {@code node} as it is shown now, scaled by {@code scale} (1 or 2), and returns the image. */
    public static WritableImage png(Node node, double scale, Path out) throws IOException {
        SnapshotParameters p = new SnapshotParameters();
        p.setTransform(Transform.scale(scale, scale));
        WritableImage img = node.snapshot(p, null);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", out.toFile())) {
            throw new IOException("no PNG writer available");
        }
        return img;
    }
}
