package dev.kernscope.app.desktop;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;

/** Help › Keyboard and Mouse: every key and gesture of the timeline and the panels, in one sheet. Stateless. */
final class KeysSheet {
    /** Section title, then (keys, what they do) pairs. */
    static final String[][][] SECTIONS = {
        {{"Timeline"},
            {"Wheel", "Zoom around the pointer"},
            {"W / S,  + / −", "Zoom in / out (around the pointer or the centre)"},
            {"A / D", "Pan left / right"},
            {"0", "Zoom to fit the whole trace"},
            {"Z", "Zoom to the selected range"},
            {"Drag on the lanes", "Pan"},
            {"Drag on the ruler,  Shift+drag", "Select a time range (the panels follow it)"},
            {"Click or drag the overview", "Move the visible window"},
            {"Click a slice", "Select its thread (highlighted everywhere)"},
            {"P", "Pin the selected thread in a lane above the CPUs (again: unpin)"},
            {"Click a NUMA node header", "Collapse or expand its CPUs"},
            {"Shift+wheel, wheel over the names", "Scroll the CPU lanes"},
            {"↑ / ↓, PgUp / PgDn, Home / End", "Scroll the CPU lanes"},
            {"Esc", "Clear the selected range and thread"}},
        {{"Panels"},
            {"Ctrl+1 … Ctrl+4", "Flame graph, NUMA, Threads, Latency"},
            {"Click a frame", "Zoom the flame graph into it (the path above leads back)"},
            {"Wheel over the flame graph", "Scroll to deeper frames"},
            {"Drag the bar above the panels", "Give the timeline or the panels more room (remembered)"}},
        {{"Window"},
            {"Ctrl+O / Ctrl+W", "Open a trace / close its tab"},
            {"Ctrl+R", "Record"},
            {"Ctrl+= / Ctrl+− / Ctrl+0 / Ctrl+E", "Zoom in / out / to fit / to the selection"},
            {"Ctrl+Shift+A", "Clear the selection and the filters"},
            {"Ctrl+Shift+S", "Screenshot of the window"},
            {"F1", "This sheet"}}};

    private KeysSheet() {}

    static Node content() {
        GridPane g = new GridPane();
        g.setHgap(18);
        g.setVgap(4);
        g.setPadding(new Insets(12, 16, 12, 16));
        g.getStyleClass().add("keys-sheet");
        int row = 0;
        for (String[][] section : SECTIONS) {
            Label title = new Label(section[0][0]);
            title.getStyleClass().add("keys-title");
            if (row > 0) GridPane.setMargin(title, new Insets(10, 0, 0, 0));
            g.add(title, 0, row++, 2, 1);
            for (int i = 1; i < section.length; i++) {
                Label k = new Label(section[i][0]), v = new Label(section[i][1]);
                k.getStyleClass().add("keys-key");
                v.getStyleClass().add("keys-what");
                g.add(k, 0, row);
                g.add(v, 1, row++);
            }
        }
        return g;
    }
}
