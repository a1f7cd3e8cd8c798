package dev.kernscope.app;

import java.nio.file.Path;
import java.util.List;

/** Starts the desktop application. */
final class DesktopLauncher {
    private DesktopLauncher() {}

    static int launch(List<Path> files) {
        System.err.println("kernscope: the desktop app is not built yet; use 'kernscope info FILE'");
        return 2;
    }
}
