package dev.kernscope.app.desktop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;

/** The recently opened traces, newest first, kept in {@link Preferences}. Confined to the FX thread. */
public final class RecentFiles {
    static final int MAX = 10;
    private final Preferences prefs;

    public RecentFiles(Preferences prefs) {
        this.prefs = prefs;
    }

    public static RecentFiles user() {
        return new RecentFiles(Preferences.userRoot().node("dev/kernscope/app/recent"));
    }

    public List<Path> list() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < MAX; i++) {
            String s = prefs.get("file" + i, null);
            if (s != null) out.add(Path.of(s));
        }
        return out;
    }

    public void add(Path p) {
        List<Path> l = list();
        Path abs = p.toAbsolutePath().normalize();
        l.remove(abs);
        l.add(0, abs);
        store(l);
    }

    public void clear() {
        store(List.of());
    }

    private void store(List<Path> l) {
        for (int i = 0; i < MAX; i++) {
            if (i < l.size()) prefs.put("file" + i, l.get(i).toString());
            else prefs.remove("file" + i);
        }
        try {
            prefs.flush();
        } catch (java.util.prefs.BackingStoreException ignored) {
            // recent files are a convenience: losing them must not stop the app
        }
    }
}
