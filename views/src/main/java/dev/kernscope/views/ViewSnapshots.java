package dev.kernscope.views;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import javax.imageio.ImageIO;

/**
 * Renders a view to PNG without a window: puts it in an off-screen scene of the given size, waits until its
 * background work settles, snapshots on the FX thread and writes with ImageIO. Callable from any thread except
 * the FX thread (it blocks); starts the FX toolkit if needed (run headless with
 * {@code -Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw}).
 */
public final class ViewSnapshots {
    private ViewSnapshots() {}

    /** Snapshots {@code view} at {@code w × h} and writes it to {@code out}. */
    public static void toPng(Region view, int w, int h, Path out) throws IOException {
        WritableImage img = snapshot(view, w, h);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", out.toFile());
    }

    /** Lays out {@code view} at {@code w × h}, waits for it to settle and returns the snapshot. */
    public static WritableImage snapshot(Region view, int w, int h) {
        if (Platform.isFxApplicationThread()) throw new IllegalStateException("call off the FX thread");
        startToolkit();
        onFx(() -> {
            if (view.getScene() == null) {
                Parent p = view.getParent();
                if (p == null) new Scene(view, w, h);
            }
            view.resize(w, h);
            view.applyCss();
            view.layout();
            return null;
        });
        ReadOnlyBooleanProperty busy = onFx(() -> busyOf(view));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean b = onFx(() -> {
                view.applyCss();
                view.layout();
                return busy != null && busy.get();
            });
            if (!b) break;
            sleep(5);
        }
        return onFx(() -> {
            view.applyCss();
            view.layout();
            WritableImage img = new WritableImage(w, h);
            return view.snapshot(null, img);
        });
    }

    private static ReadOnlyBooleanProperty busyOf(Region view) {
        try {
            Object p = view.getClass().getMethod("busyProperty").invoke(view);
            return p instanceof ReadOnlyBooleanProperty b ? b : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static volatile boolean started;

    private static synchronized void startToolkit() {
        if (started) return;
        started = true;
        CompletableFuture<Void> started = new CompletableFuture<>();
        try {
            Platform.startup(() -> started.complete(null));
            Platform.setImplicitExit(false);
        } catch (IllegalStateException alreadyRunning) {
            started.complete(null);
        }
        started.join();
    }

    /** Runs {@code task} on the FX thread and waits for its result. */
    public static <T> T onFx(java.util.concurrent.Callable<T> task) {
        startToolkit();
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try { f.complete(task.call()); } catch (Throwable t) { f.completeExceptionally(t); }
        });
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }
}
