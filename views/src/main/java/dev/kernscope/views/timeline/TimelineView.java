package dev.kernscope.views.timeline;

import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TimelineSource;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.css.CssMetaData;
import javafx.css.Styleable;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * Run-queue timeline: one lane per CPU grouped by NUMA node, a run-queue-length track under each lane, a time
 * ruler and an overview strip. Reads a {@link TimelineSource} for the visible window at the current resolution,
 * off the FX thread. Shows a placeholder while the source is null.
 *
 * <p>Input: wheel zooms around the pointer; W/S and +/− zoom, 0 fits the whole trace, Z zooms to the selected
 * range, A/D pan; drag pans; shift-drag or drag on the ruler selects a time range; drag/click on the overview
 * moves the window; click selects a thread (all its slices are highlighted); click on a node header collapses or
 * expands its CPUs; P pins (or unpins) the selected thread in a lane above the CPUs, several at once; Esc clears
 * the selection. When the CPU lanes do not
 * fit they scroll vertically (shift+wheel, wheel over the lane names, scroll bar, Up/Down, PageUp/PageDown,
 * Home/End); node headers stick to the top, and lanes off screen are neither fetched nor drawn.
 *
 * <p>Confined to the FX thread.
 */
public class TimelineView extends Control implements StyleColors.Owner {
    static final String[] COLORS = {
        "-ks-background", "-ks-gutter-background", "-ks-lane-background", "-ks-lane-alt-background",
        "-ks-separator", "-ks-text", "-ks-text-dim", "-ks-node-header", "-ks-ruler-background", "-ks-tick",
        "-ks-grid", "-ks-selection-fill", "-ks-selection-edge", "-ks-highlight", "-ks-runq", "-ks-wakeup",
        "-ks-runnable", "-ks-migration", "-ks-lost", "-ks-overview-window", "-ks-tooltip-background",
        "-ks-tooltip-border", "-ks-proc-0", "-ks-proc-1", "-ks-proc-2", "-ks-proc-3", "-ks-proc-4", "-ks-proc-5",
        "-ks-proc-6", "-ks-proc-7", "-ks-proc-8", "-ks-proc-9", "-ks-proc-10", "-ks-proc-11"};
    static final int PALETTE_SIZE = 12;
    private static final List<CssMetaData<? extends Styleable, ?>> CSS =
            StyleColors.declare(Control.getClassCssMetaData(), COLORS);

    private final TraceSelection selection;
    private final Consumer<TraceSelection> onChange;
    private final ObjectProperty<TimelineSource> source = new SimpleObjectProperty<>(this, "source");
    /** At most this many threads are pinned; pinning another drops the oldest pin. */
    public static final int MAX_PINNED = 8;
    private final ObservableList<Integer> pinnedUtids = FXCollections.observableArrayList();
    private final DoubleProperty laneScroll = new SimpleDoubleProperty(this, "laneScroll", 0);
    private final javafx.collections.ObservableSet<Integer> collapsedNodes = FXCollections.observableSet();
    final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    final ReadOnlyBooleanWrapper lanesDrawn = new ReadOnlyBooleanWrapper(this, "lanesDrawn", false);
    private final StyleColors colors = new StyleColors(this, CSS);

    /**
     * @param selection shared view state this timeline shows and edits
     * @param onChange  called after the user changes {@code selection} through this view (not on programmatic
     *                  changes), e.g. to rebuild the flame graph for a new range or thread
     */
    public TimelineView(TraceSelection selection, Consumer<TraceSelection> onChange) {
        this.selection = Objects.requireNonNull(selection);
        this.onChange = onChange == null ? s -> { } : onChange;
        getStyleClass().add("timeline-view");
        setFocusTraversable(true);
        source.addListener((o, a, s) -> {
            if (s != null) selection.reset(s.traceStart(), s.traceEnd());
            laneScroll.set(0); // another machine's lanes: start at its first node
            if (a == null || s == null || !a.cpus().equals(s.cpus())) collapsedNodes.clear();
        });
    }

    public TraceSelection getSelection() { return selection; }

    private final ObjectProperty<java.util.BitSet> shownThreads = new SimpleObjectProperty<>(this, "shownThreads");

    /**
     * The threads (by utid) a filter keeps, or null for all: slices of other threads are drawn dimmed, as those of
     * threads other than the selected one are. Set a new BitSet to change it (the view does not watch its bits).
     */
    public ObjectProperty<java.util.BitSet> shownThreadsProperty() { return shownThreads; }

    private final javafx.beans.property.StringProperty placeholderText =
            new javafx.beans.property.SimpleStringProperty(this, "placeholderText", "No trace loaded");

    /** What the view says while its source is null ("No trace loaded", or why the lanes are not there yet). */
    public javafx.beans.property.StringProperty placeholderTextProperty() { return placeholderText; }

    void fireChange() { onChange.accept(selection); }

    /** The data; null shows the placeholder. Setting it resets the selection to the whole trace and scrolls to the top. */
    public ObjectProperty<TimelineSource> sourceProperty() { return source; }
    public TimelineSource getSource() { return source.get(); }
    public void setSource(TimelineSource s) { source.set(s); }

    /**
     * Threads shown in their own lanes above the CPUs, in lane order (top first); P toggles the selected thread.
     * Lanes stay fixed while the CPU lanes scroll. Keep it to {@link #MAX_PINNED} entries; P does.
     */
    public ObservableList<Integer> pinnedUtids() { return pinnedUtids; }

    /** Adds the thread as the bottom pinned lane, or removes its lane if it is pinned already. */
    public void togglePinned(int utid) {
        if (utid < 0) return;
        if (pinnedUtids.remove(Integer.valueOf(utid))) return;
        if (pinnedUtids.size() >= MAX_PINNED) pinnedUtids.remove(0);
        pinnedUtids.add(utid);
    }

    /**
     * How far the CPU lanes are scrolled up, in px (0 = the first node at the top). The skin clamps it to the
     * content once laid out; the user changes it with shift+wheel, the wheel over the lane names, the scroll bar,
     * Up/Down, PageUp/PageDown and Home/End.
     */
    public DoubleProperty laneScrollProperty() { return laneScroll; }

    /** NUMA nodes whose CPU lanes are folded away under their header (a click on the header toggles it). */
    public javafx.collections.ObservableSet<Integer> collapsedNodes() { return collapsedNodes; }

    /** Zooms the visible window by {@code factor} (below 1 zooms in) around its centre, within the trace. */
    public void zoom(double factor) {
        TimeRange v = selection.getVisibleRange();
        long d = Math.min(selection.getBounds().duration(), Math.round(v.duration() * factor));
        long mid = v.start() + v.duration() / 2;
        selection.setVisibleRange(mid - d / 2, mid - d / 2 + d, TimelineViewSkin.MIN_VISIBLE_NS);
        fireChange();
    }

    /** Shows the whole trace. */
    public void zoomToFit() {
        TimeRange b = selection.getBounds();
        selection.setVisibleRange(b.start(), b.end(), 1);
        fireChange();
    }

    /** Shows the selected range (with a little room each side); false when no range is selected. */
    public boolean zoomToSelection() {
        TimeRange r = selection.getSelectedRange();
        if (r == null || r.duration() <= 0) return false;
        long pad = r.duration() / 20;
        selection.setVisibleRange(r.start() - pad, r.end() + pad, TimelineViewSkin.MIN_VISIBLE_NS);
        fireChange();
        return true;
    }

    /**
     * True once lanes of the current trace are on screen (the first ones arrive before the overview and markers);
     * false again when another trace's source replaces them.
     */
    public ReadOnlyBooleanProperty lanesDrawnProperty() { return lanesDrawn.getReadOnlyProperty(); }

    /** True while a fetch for the current window is in flight; snapshots wait for it to turn false. */
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }

    @Override public StyleColors styleColors() { return colors; }

    @Override protected Skin<?> createDefaultSkin() { return new TimelineViewSkin(this); }

    @Override public String getUserAgentStylesheet() {
        return TimelineView.class.getResource("timeline-view.css").toExternalForm();
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() { return CSS; }

    @Override public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() { return CSS; }
}
