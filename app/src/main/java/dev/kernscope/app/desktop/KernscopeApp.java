package dev.kernscope.app.desktop;

import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.stage.Stage;

/** The JavaFX application: one main window, on the files given or else the sample trace. */
public final class KernscopeApp extends Application {
    private static volatile List<Path> initialFiles = List.of();

    /** Files to open at start (set before {@link Application#launch}). */
    public static void setInitialFiles(List<Path> files) { initialFiles = List.copyOf(files); }

    @Override
    public void start(Stage stage) {
        MainWindow w = new MainWindow(stage, RecentFiles.user());
        stage.getIcons().add(new javafx.scene.image.Image(
                KernscopeApp.class.getResourceAsStream("/dev/kernscope/app/desktop/kernscope-64.png")));
        stage.show();
        if (initialFiles.isEmpty()) w.openSample();
        else for (Path p : initialFiles) w.open(p);
        String shots = System.getProperty("kernscope.screenshots");
        if (shots != null) DocScreenshots.start(w, Path.of(shots));
    }
}
