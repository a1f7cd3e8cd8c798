package dev.kernscope.app.desktop;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;

/**
 * For packaging/screenshots.sh: once the first trace is open and every panel has loaded, saves the whole window
 * with each lower panel shown ({@code kernscope-<panel>.png}) into a folder, then quits. Started by the
 * {@code kernscope.screenshots} system property; its worker thread never touches the scene directly.
 */
final class DocScreenshots {
    static final String[] PANELS = {"flame", "numa", "threads", "latency"};

    private DocScreenshots() {}

    static void start(MainWindow w, Path dir) {
        Thread t = new Thread(() -> {
            int code = 0;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!fx(() -> {
                    TraceTab tab = w.currentTab();
                    return tab != null && tab.panelsLoaded() > 0 && !w.busy() && !tab.timeline().busyProperty().get();
                })) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("the trace did not load in 2 minutes");
                    Thread.sleep(100);
                }
                Thread.sleep(500);
                for (int i = 0; i < PANELS.length; i++) {
                    int k = i;
                    fx(() -> { w.currentTab().panels().getSelectionModel().select(k); return true; });
                    Thread.sleep(700);
                    Path out = dir.resolve("kernscope-" + PANELS[k] + ".png");
                    fx(() -> { Screenshots.png(w.root(), 1, out); return true; });
                    System.out.println("wrote " + out);
                }
                // The two-node sample, when it was opened beside the first, gives the NUMA picture.
                long more = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (fx(() -> w.tabs().size()) < 2 && System.nanoTime() < more) Thread.sleep(100);
                if (fx(() -> w.tabs().size()) >= 2) {
                    fx(() -> { w.tabs().get(0).getTabPane().getSelectionModel().select(1); return true; });
                    while (!fx(() -> {
                        TraceTab tab = w.currentTab();
                        return tab != null && tab.panelsLoaded() > 0 && !w.busy() && !tab.timeline().busyProperty().get();
                    })) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("the second sample did not load");
                        Thread.sleep(100);
                    }
                    fx(() -> { w.currentTab().panels().getSelectionModel().select(1); return true; });
                    Thread.sleep(1200);
                    Path out = dir.resolve("kernscope-numa.png");
                    fx(() -> { Screenshots.png(w.root(), 1, out); return true; });
                    System.out.println("wrote " + out + " (" + fx(() -> w.currentTab().getText()) + ")");
                }
            } catch (Exception e) {
                System.err.println("kernscope: screenshots failed: " + e.getMessage());
                code = 1;
            }
            int exit = code;
            Platform.runLater(() -> { w.stage().close(); Platform.exit(); System.exit(exit); });
        }, "kernscope-doc-screenshots");
        t.setDaemon(true);
        t.start();
    }

    private static <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try { f.complete(c.call()); } catch (Throwable e) { f.completeExceptionally(e); }
        });
        return f.get(30, TimeUnit.SECONDS);
    }
}
