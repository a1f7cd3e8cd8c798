package dev.kernscope.app.desktop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * What the window remembers between runs, in {@link Preferences}: where the timeline/panels divider was left,
 * the folder of the last file dialog, and the main window's size. Losing any of it costs the user a drag, never
 * data, so storage failures are ignored. Confined to the FX thread.
 */
public final class UiPrefs {
    private final Preferences prefs;

    public UiPrefs(Preferences prefs) {
        this.prefs = prefs;
    }

    public static UiPrefs user() {
        return new UiPrefs(Preferences.userRoot().node("dev/kernscope/app/ui"));
    }

    /** The timeline's share of the split (0–1), or NaN when the user never moved the divider. */
    public double divider() {
        double d = prefs.getDouble("divider", Double.NaN);
        return d > 0.05 && d < 0.95 ? d : Double.NaN;
    }

    public void setDivider(double fraction) {
        if (fraction > 0.05 && fraction < 0.95) store(() -> prefs.putDouble("divider", fraction));
    }

    /** The folder of the last file opened or saved through a dialog if it still exists, else the home folder. */
    public Path lastFolder() {
        String s = prefs.get("folder", null);
        if (s != null) {
            Path p = Path.of(s);
            if (Files.isDirectory(p)) return p;
        }
        Path home = Path.of(System.getProperty("user.home", "/"));
        return Files.isDirectory(home) ? home : Path.of("/");
    }

    /** Remembers the folder of {@code file} for the next dialog. */
    public void setLastFolder(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) store(() -> prefs.put("folder", dir.toString()));
    }

    /** The last window size {width, height, maximized 0/1}, or null when none was stored. */
    public double[] windowSize() {
        double w = prefs.getDouble("windowWidth", -1), h = prefs.getDouble("windowHeight", -1);
        return w > 0 && h > 0 ? new double[]{w, h, prefs.getBoolean("maximized", false) ? 1 : 0} : null;
    }

    public void setWindowSize(double w, double h, boolean maximized) {
        store(() -> {
            if (!maximized && w > 0 && h > 0) {
                prefs.putDouble("windowWidth", w);
                prefs.putDouble("windowHeight", h);
            }
            prefs.putBoolean("maximized", maximized);
        });
    }

    private void store(Runnable puts) {
        try {
            puts.run();
            prefs.flush();
        } catch (BackingStoreException | IllegalStateException ignored) {
            // a preference is a convenience: losing it (no backing store, the node removed) must not stop the app
        }
    }
}
