package dev.kernscope.app;

import dev.kernscope.app.desktop.KernscopeApp;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;

/** Starts the desktop application. */
final class DesktopLauncher {
    private DesktopLauncher() {}

    static int launch(List<Path> files) {
        dev.kernscope.app.cli.HeadlessRender.quietClassPathWarning();
        KernscopeApp.setInitialFiles(files);
        Application.launch(KernscopeApp.class);
        return 0;
    }
}
