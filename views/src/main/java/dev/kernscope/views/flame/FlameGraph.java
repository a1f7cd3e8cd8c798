package dev.kernscope.views.flame;

import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.model.CallTree;
import dev.kernscope.views.model.FlameData;
import dev.kernscope.views.model.FlameMode;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.css.CssMetaData;
import javafx.css.Styleable;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * Flame graph of an aggregated call tree: top-down as a flame (root at the bottom) or bottom-up as an icicle
 * (root at the top). Frames are coloured by kind and name hash; a search box highlights matches and reports
 * their share; click zooms into a frame and the breadcrumb bar leads back. Shows a placeholder while
 * {@link #dataProperty()} is null. The app rebuilds the data when the shared {@link TraceSelection} changes.
 * Confined to the FX thread.
 */
public class FlameGraph extends Control implements StyleColors.Owner {
    static final String[] COLORS = {"-ks-background", "-ks-text", "-ks-text-dim", "-ks-frame-text", "-ks-kernel",
        "-ks-user", "-ks-jit", "-ks-unknown", "-ks-merged", "-ks-match", "-ks-separator", "-ks-root",
        "-ks-tooltip-background", "-ks-tooltip-border"};
    private static final List<CssMetaData<? extends Styleable, ?>> CSS =
            StyleColors.declare(Control.getClassCssMetaData(), COLORS);

    private final TraceSelection selection;
    private final Consumer<TraceSelection> onChange;
    private final ObjectProperty<FlameData> data = new SimpleObjectProperty<>(this, "data");
    private final ObjectProperty<FlameMode> mode = new SimpleObjectProperty<>(this, "mode", FlameMode.ON_CPU);
    private final BooleanProperty inverted = new SimpleBooleanProperty(this, "inverted", false);
    private final StringProperty search = new SimpleStringProperty(this, "search", "");
    private final IntegerProperty zoomNode = new SimpleIntegerProperty(this, "zoomNode", CallTree.ROOT);
    final ReadOnlyDoubleWrapper matchShare = new ReadOnlyDoubleWrapper(this, "matchShare", Double.NaN);
    final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final StyleColors colors = new StyleColors(this, CSS);
    private final ObjectProperty<java.util.function.IntFunction<String>> threadNames =
            new SimpleObjectProperty<>(this, "threadNames");

    /**
     * @param selection shared view state; the graph shows its range and thread filter in the header
     * @param onChange  called after the user changes {@code selection} through this view (the flame graph only
     *                  clears the thread filter from its header)
     */
    public FlameGraph(TraceSelection selection, Consumer<TraceSelection> onChange) {
        this.selection = Objects.requireNonNull(selection);
        this.onChange = onChange == null ? s -> { } : onChange;
        getStyleClass().add("flame-graph");
        setFocusTraversable(true);
        data.addListener(o -> zoomNode.set(CallTree.ROOT));
        inverted.addListener(o -> zoomNode.set(CallTree.ROOT));
    }

    public TraceSelection getSelection() { return selection; }

    void fireChange() { onChange.accept(selection); }

    /** The trees; null shows the placeholder. */
    public ObjectProperty<FlameData> dataProperty() { return data; }
    public void setData(FlameData d) { data.set(d); }
    public FlameData getData() { return data.get(); }

    /** What the weights mean; the app switches it together with the data. */
    public ObjectProperty<FlameMode> modeProperty() { return mode; }

    /** How the header names the selected thread (by utid); null names it "thread N". */
    public ObjectProperty<java.util.function.IntFunction<String>> threadNamesProperty() { return threadNames; }

    String threadName(int utid) {
        var f = threadNames.get();
        String n = f == null ? null : f.apply(utid);
        return n == null ? "thread " + utid : n;
    }

    /** False: top-down flame; true: bottom-up icicle. */
    public BooleanProperty invertedProperty() { return inverted; }

    /** Case-insensitive substring of a frame's name or its mangled form; matching frames are highlighted. */
    public StringProperty searchProperty() { return search; }

    /** Node of the shown tree that fills the width ({@link CallTree#ROOT} when not zoomed). */
    public IntegerProperty zoomNodeProperty() { return zoomNode; }

    /** Share of the total weight in frames matching the search, NaN without a search. */
    public ReadOnlyDoubleProperty matchShareProperty() { return matchShare.getReadOnlyProperty(); }

    /** True while a layout is computed in the background. */
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }

    /** The tree currently shown (top-down or bottom-up), or null. */
    public CallTree shownTree() {
        FlameData d = data.get();
        return d == null ? null : inverted.get() ? d.bottomUp() : d.topDown();
    }

    @Override public StyleColors styleColors() { return colors; }

    @Override protected Skin<?> createDefaultSkin() { return new FlameGraphSkin(this); }

    @Override public String getUserAgentStylesheet() {
        return FlameGraph.class.getResource("flame-graph.css").toExternalForm();
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() { return CSS; }

    @Override public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() { return CSS; }
}
