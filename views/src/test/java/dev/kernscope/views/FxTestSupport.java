package dev.kernscope.views;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import org.testfx.util.WaitForAsyncUtils;

/** Helpers for headless FX tests. */
public final class FxTestSupport {
    private FxTestSupport() {}

    public static void waitUntil(BooleanSupplier onFx) {
        try {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> ViewSnapshots.onFx(onFx::getAsBoolean));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("condition not met in 10 s", e);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }

    public static WritableImage snap(Node n) {
        WaitForAsyncUtils.waitForFxEvents();
        return ViewSnapshots.onFx(() -> n.snapshot(null, null));
    }

    /** Colours equal within 2/255 per channel (software rasteriser rounding). */
    public static boolean close(Color a, Color b) {
        return Math.abs(a.getRed() - b.getRed()) < 0.01 && Math.abs(a.getGreen() - b.getGreen()) < 0.01
                && Math.abs(a.getBlue() - b.getBlue()) < 0.01;
    }
}
