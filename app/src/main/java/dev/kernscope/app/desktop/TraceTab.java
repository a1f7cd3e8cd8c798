package dev.kernscope.app.desktop;

import dev.kernscope.app.adapt.NumaModels;
import dev.kernscope.app.adapt.ReaderTimelineSource;
import dev.kernscope.app.cli.Format;
import dev.kernscope.storage.Model;
import dev.kernscope.views.flame.FlameGraph;
import dev.kernscope.views.model.FlameData;
import dev.kernscope.views.model.FlameMode;
import dev.kernscope.views.model.NumaModel;
import dev.kernscope.views.model.ThreadInfo;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import dev.kernscope.views.numa.NumaView;
import dev.kernscope.views.timeline.TimelineLayout;
import dev.kernscope.views.timeline.TimelineView;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javafx.animation.PauseTransition;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.ListChangeListener;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import javafx.util.StringConverter;
import org.controlsfx.control.CheckComboBox;

/**
 * One open trace in the main window: the filter bar, the run-queue timeline on top and the Flame graph, NUMA,
 * Threads and Latency panels below. All views share one {@link TraceSelection}; the panels below follow its
 * selected range (the whole trace when nothing is selected) and the filter bar's processes. Panel data is
 * computed off the FX thread, latest request wins. Confined to the FX thread.
 */
public final class TraceTab extends Tab {
    /** Process entries of the filter bar. */
    record ProcessItem(int upid, int pid, String name) {}

    private final TraceDocument doc;
    private final Consumer<Task<?>> runner;
    private final TraceSelection selection = new TraceSelection();
    private final TimelineView timeline;
    private final FlameGraph flame;
    private final NumaView numa;
    private final ThreadsTable threads = new ThreadsTable();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final TabPane panels = new TabPane();
    private final AnalysisPanel analysis;
    private final BookmarksPanel bookmarks;
    private final ComparePanel compare;
    private final SplitPane split = new SplitPane();
    private UiPrefs uiPrefs;
    private final CheckComboBox<ProcessItem> processes = new CheckComboBox<>();
    private final TextField search = new TextField();
    private final javafx.scene.control.ComboBox<FlameMode> profile = new javafx.scene.control.ComboBox<>();
    private final ToggleButton follow = new ToggleButton("Follow live edge");
    private final Label rangeLabel = new Label();
    private final BooleanProperty liveProperty = new SimpleBooleanProperty(this, "live");
    private final PauseTransition debounce = new PauseTransition(Duration.millis(120));
    private int liveTicks;
    /** Runs after the panels were refreshed for the current range (tests and the status bar wait on it). */
    private Runnable onPanelsLoaded = () -> { };
    private long panelsLoaded;

    TraceTab(TraceDocument doc, Consumer<Task<?>> runner) {
        this.doc = doc;
        this.runner = runner;
        setText(doc.title());
        setTooltip(new Tooltip(doc.path().toString()));
        updateEndTooltip();
        timeline = new TimelineView(selection, s -> { });
        flame = new FlameGraph(selection, s -> { });
        numa = new NumaView(selection, s -> debounce.playFromStart());
        flame.threadNamesProperty().set(u -> {
            ThreadInfo ti = doc.source().thread(u);
            return ti == null ? null : ti.name() + " [" + ti.tid() + "]";
        });
        timeline.placeholderTextProperty().set("Waiting for the recorder's first data…");
        timeline.setSource(timelineSource());
        liveProperty.set(doc.isLive());
        follow.setSelected(true);
        follow.visibleProperty().bind(liveProperty);
        follow.managedProperty().bind(liveProperty);
        follow.setTooltip(new Tooltip("Keep the newest data in view while recording; turn off to inspect "
                + "(the recording goes on)"));
        follow.getStyleClass().add("follow-toggle");

        analysis = new AnalysisPanel(doc, selection, this::panelRange, runner);
        bookmarks = new BookmarksPanel(doc, selection, runner);
        compare = new ComparePanel(doc, selection, this::panelRange, runner);
        // a panel joins the scene when first shown: a new tab styles and lays out only what it shows
        Node[] panelContent = {flamePane(), numa, threads, atLeast(latency, 260), analysis, compare, bookmarks};
        String[] names = {"Flame graph", "NUMA", "Threads", "Latency", "Critical path", "Compare", "Bookmarks"};
        for (int i = 0; i < names.length; i++) panels.getTabs().add(panel(names[i], i == 0 ? panelContent[0] : null));
        panels.getSelectionModel().selectedIndexProperty().addListener((o, a, i) -> {
            Tab t = panels.getTabs().get(i.intValue());
            if (t.getContent() == null) t.setContent(panelContent[i.intValue()]);
        });
        panels.getStyleClass().add("panels");
        split.getItems().setAll(timeline, panels);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        split.getStyleClass().add("trace-split");
        SplitPane.setResizableWithParent(panels, true);
        fitTimeline(split);

        BorderPane content = new BorderPane(split);
        content.setTop(filterBar());
        content.getStyleClass().add("trace-tab");
        setContent(content);

        debounce.setOnFinished(e -> reloadPanels());
        selection.selectedRangeProperty().addListener(o -> { updateRangeLabel(); debounce.playFromStart(); });
        selection.selectedUtidProperty().addListener(o -> { debounce.playFromStart(); showSelectedRow(); });
        // a thread chosen in the table is the selected thread of every view (timeline highlight, flame filter)
        threads.getSelectionModel().selectedItemProperty().addListener((o, was, row) -> {
            if (row != null && !syncingRow) selection.selectedUtidProperty().set(row.utid());
        });
        selection.visibleRangeProperty().addListener(o -> updateRangeLabel());
        processes.getCheckModel().getCheckedItems().addListener((ListChangeListener<ProcessItem>) c -> applyFilter());
        search.textProperty().addListener(o -> applyFilter());
        setOnClosed(e -> close());
        loadProcesses();
        updateRangeLabel();
        panels.getSelectionModel().selectedIndexProperty().addListener(o -> loadShownPanel());
        // whole-trace panels start once the lanes are drawn: the viewport comes first
        timeline.lanesDrawnProperty().addListener((o, was, drawn) -> {
            if (!drawn || lanesShown || timeline.getSource() == null) return;
            lanesShown = true;
            Timing.mark("lanes drawn", doc.path());
            loadShownPanel();
        });
        Timing.mark("tab shown", doc.path());
    }

    private static Tab panel(String name, Node content) {
        Tab t = new Tab(name, content);
        t.setClosable(false);
        return t;
    }

    /**
     * {@code n} in a scroll pane that gives it the whole panel but never less than {@code minH}: a chart squeezed
     * below that has no room left for its plot after its title and axes, and would show only its title.
     */
    private static Node atLeast(javafx.scene.layout.Region n, double minH) {
        n.setMinHeight(minH);
        javafx.scene.control.ScrollPane sp = new javafx.scene.control.ScrollPane(n);
        sp.setFitToWidth(true);
        sp.setFitToHeight(true);
        sp.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        sp.getStyleClass().add("panel-scroll");
        return sp;
    }

    private Node flamePane() {
        profile.getItems().setAll(FlameMode.values());
        profile.setValue(FlameMode.ON_CPU);
        profile.setConverter(new StringConverter<>() {
            @Override public String toString(FlameMode m) { return m == null ? "" : m.label(); }
            @Override public FlameMode fromString(String s) { return null; }
        });
        profile.valueProperty().addListener((o, a, m) -> reloadPanels());
        Label l = new Label("Profile");
        HBox bar = new HBox(8, l, profile);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 8, 4, 8));
        bar.getStyleClass().add("flame-bar");
        VBox box = new VBox(bar, flame);
        VBox.setVgrow(flame, Priority.ALWAYS);
        return box;
    }

    private Node filterBar() {
        processes.setTitle("All processes");
        processes.setShowCheckedCount(true);
        processes.setConverter(new StringConverter<>() {
            @Override public String toString(ProcessItem p) { return p == null ? "" : p.name() + "  (" + p.pid() + ")"; }
            @Override public ProcessItem fromString(String s) { return null; }
        });
        processes.setPrefWidth(230);
        processes.setTooltip(new Tooltip("Show only the threads of these processes in the panels below"));
        search.setPromptText("Filter threads: name, tid, process…");
        search.setPrefColumnCount(22);
        Button clear = new Button("Clear selection");
        clear.setOnAction(e -> clearSelection());
        clear.setTooltip(new Tooltip("Back to the whole trace and all threads (Esc on the timeline)"));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        rangeLabel.getStyleClass().add("range-label");
        Label procLabel = new Label("Processes");
        HBox bar = new HBox(8, procLabel, processes, search, clear, grow, rangeLabel, follow);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(5, 8, 5, 8));
        bar.getStyleClass().add("filter-bar");
        return bar;
    }

    /** The filter bar's processes from the document's list (read off the FX thread); checks are kept. */
    private void loadProcesses() {
        List<Model.Process> list = doc.processes();
        if (list.size() == processes.getItems().size()) return;
        Set<Integer> checked = new HashSet<>();
        for (ProcessItem p : processes.getCheckModel().getCheckedItems()) checked.add(p.upid());
        List<ProcessItem> items = new java.util.ArrayList<>();
        for (Model.Process p : list) items.add(new ProcessItem(p.upid(), p.pid(), p.name()));
        items.sort((a, b) -> String.valueOf(a.name()).compareToIgnoreCase(String.valueOf(b.name())));
        processes.getItems().setAll(items);
        for (ProcessItem p : items) if (checked.contains(p.upid())) processes.getCheckModel().check(p);
    }

    // --- selection and filters ------------------------------------------------------------------------------

    /** The range the panels describe: the selected range, else the whole trace. */
    public TimeRange panelRange() {
        TimeRange r = selection.getSelectedRange();
        return r != null && r.duration() > 0 ? r : selection.getBounds();
    }

    public void clearSelection() {
        selection.selectedRangeProperty().set(null);
        selection.selectedUtidProperty().set(TraceSelection.NONE);
        selection.selectedUpidProperty().set(TraceSelection.NONE);
        processes.getCheckModel().clearChecks();
        search.clear();
    }

    private void applyFilter() {
        Set<Integer> pids = checkedPids();
        String q = search.getText() == null ? "" : search.getText().trim().toLowerCase(Locale.ROOT);
        threads.setFilter(threadFilter = s -> (pids.isEmpty() || pids.contains(s.pid()))
                && (q.isEmpty() || matches(q, s.name(), s.processName(), s.tid())));
        filterLanes(pids, q);
        var checked = processes.getCheckModel().getCheckedItems();
        selection.selectedUpidProperty().set(checked.size() == 1 ? checked.get(0).upid() : TraceSelection.NONE);
        flame.searchProperty().set(q);
        debounce.playFromStart();
    }

    private boolean syncingRow;

    /** The table's selected row follows the selected thread (chosen in the timeline, or cleared). */
    private void showSelectedRow() {
        int utid = selection.getSelectedUtid();
        Model.ThreadSummary cur = threads.getSelectionModel().getSelectedItem();
        if (cur != null && cur.utid() == utid) return;
        syncingRow = true;
        try {
            threads.getSelectionModel().clearSelection();
            for (Model.ThreadSummary row : threads.getItems()) {
                if (row.utid() != utid) continue;
                threads.getSelectionModel().select(row);
                threads.scrollTo(row);
                break;
            }
        } finally {
            syncingRow = false;
        }
    }

    /** The timeline dims the threads the filter bar leaves out (null: no filter, nothing dimmed). */
    private void filterLanes(Set<Integer> pids, String q) {
        if (pids.isEmpty() && q.isEmpty()) {
            timeline.shownThreadsProperty().set(null);
            return;
        }
        java.util.BitSet keep = new java.util.BitSet();
        for (ThreadInfo t : doc.source().threads().values()) {
            if ((pids.isEmpty() || pids.contains(t.pid())) && (q.isEmpty() || matches(q, t.name(), t.processName(), t.tid()))) {
                keep.set(t.utid());
            }
        }
        timeline.shownThreadsProperty().set(keep);
    }

    /** The filter box's rule: the text in the thread's or process's name, or the exact tid. */
    static boolean matches(String q, String thread, String process, int tid) {
        return String.valueOf(thread).toLowerCase(Locale.ROOT).contains(q)
                || String.valueOf(process).toLowerCase(Locale.ROOT).contains(q) || Integer.toString(tid).equals(q);
    }

    private java.util.function.Predicate<Model.ThreadSummary> threadFilter = s -> true;

    /** The filter bar's thread filter (processes and text), as the Threads table applies it. */
    java.util.function.Predicate<Model.ThreadSummary> threadFilter() { return threadFilter; }

    private Set<Integer> checkedPids() {
        Set<Integer> s = new HashSet<>();
        for (ProcessItem p : processes.getCheckModel().getCheckedItems()) s.add(p.pid());
        return s;
    }

    private void updateRangeLabel() {
        if (timeline.getSource() == null) { // a recording before its first data: no trace to measure yet
            rangeLabel.setText("");
            return;
        }
        TimeRange b = selection.getBounds();
        TimeRange r = selection.getSelectedRange();
        rangeLabel.setText(r == null || r.duration() == 0
                ? "Whole trace · " + Format.duration(b.duration())
                : "Selected " + Format.duration(r.duration()) + " at +" + Format.duration(r.start() - b.start()));
    }

    // --- panels ---------------------------------------------------------------------------------------------

    /** The panels below the timeline, in tab order. */
    enum Panel { FLAME, NUMA, THREADS, LATENCY }

    /** What a panel's content depends on: it is reloaded when this changes while it is shown. */
    private record PanelKey(TimeRange range, Set<Integer> pids, int utid, FlameMode mode, long epoch) {}

    private final PanelKey[] loadedKey = new PanelKey[Panel.values().length];
    private final Task<?>[] panelTasks = new Task<?>[Panel.values().length];
    /** Bumped by a live refresh so the shown panel re-reads the grown trace. */
    private long epoch;
    /** Whether the timeline has drawn its first lanes: whole-trace panels wait for it, so the viewport comes first. */
    private boolean lanesShown;

    /** What {@code p} shows depends on: threads and NUMA only on the range (the table filters rows itself). */
    private PanelKey currentKey(Panel p) {
        return switch (p) {
            case FLAME -> new PanelKey(panelRange(), checkedPids(), selection.getSelectedUtid(), profile.getValue(), epoch);
            case LATENCY -> new PanelKey(panelRange(), checkedPids(), selection.getSelectedUtid(), null, epoch);
            case THREADS, NUMA -> new PanelKey(panelRange(), Set.of(), TraceSelection.NONE, null, epoch);
        };
    }

    /** The flame filter of the panels: range, profile, one checked process, the selected thread. */
    public dev.kernscope.storage.FlameQueries.Filter flameFilter() {
        TimeRange r = panelRange();
        var f = dev.kernscope.storage.FlameQueries.Filter.of(r.start(), r.end(),
                dev.kernscope.app.adapt.FlameModels.mode(profile.getValue()));
        var checked = processes.getCheckModel().getCheckedItems();
        if (checked.size() == 1) f = f.withPid(checked.get(0).pid());
        ThreadInfo ti = selection.getSelectedUtid() >= 0 ? doc.source().thread(selection.getSelectedUtid()) : null;
        if (ti != null) f = f.withTid(ti.tid());
        return f;
    }

    /**
     * The range or filter changed: the panel on screen reloads (in the background, replacing a load in flight);
     * the others reload when they are next shown. Nothing loads before the timeline drew its first lanes.
     */
    public void reloadPanels() {
        Panel shown = shownPanel();
        for (int i = 0; i < panelTasks.length; i++) {
            if ((shown == null || i != shown.ordinal()) && panelTasks[i] != null) { panelTasks[i].cancel(); panelTasks[i] = null; }
        }
        loadShownPanel();
    }

    /** The panel on screen, or null for one that loads by itself (critical path, compare, bookmarks). */
    private Panel shownPanel() {
        int i = Math.max(0, panels.getSelectionModel().getSelectedIndex());
        return i < Panel.values().length ? Panel.values()[i] : null;
    }

    /** Loads the panel on screen if what it shows is not for the current range and filter. */
    private void loadShownPanel() {
        Panel p = shownPanel();
        if (!lanesShown || p == null) return;
        PanelKey key = currentKey(p);
        if (key.equals(loadedKey[p.ordinal()])) return;
        Task<?> running = panelTasks[p.ordinal()];
        if (running != null) running.cancel();
        Task<Runnable> t = panelTask(p, key);
        t.setOnSucceeded(e -> {
            if (t != panelTasks[p.ordinal()] || t.getValue() == null) return;
            panelTasks[p.ordinal()] = null;
            t.getValue().run();
            loadedKey[p.ordinal()] = key;
            if (panelsLoaded == 0) Timing.mark(p.name().toLowerCase() + " panel shown", doc.path());
            panelsLoaded++;
            onPanelsLoaded.run();
        });
        t.setOnFailed(e -> { if (t == panelTasks[p.ordinal()]) panelTasks[p.ordinal()] = null; });
        panelTasks[p.ordinal()] = t;
        runner.accept(t);
    }

    /**
     * A background load of one panel for {@code key}; its value shows the result (run on the FX thread), or is null
     * when cancelled. Cancelling interrupts the document's panel queries, so a whole-trace pass stops at once.
     */
    private Task<Runnable> panelTask(Panel p, PanelKey key) {
        TimeRange r = key.range();
        ReaderTimelineSource src = doc.source();
        var flameFilter = flameFilter();
        String what = switch (p) {
            case FLAME -> "the flame graph";
            case NUMA -> "NUMA activity";
            case THREADS -> "threads";
            case LATENCY -> "wakeup latencies";
        };
        return new Task<>() {
            @Override protected Runnable call() throws Exception {
                updateTitle("Summarizing " + what + " over " + Format.duration(r.duration()) + " of " + doc.path().getFileName());
                updateProgress(-1, 1);
                try {
                    return switch (p) {
                        case FLAME -> {
                            FlameData fd = dev.kernscope.app.adapt.FlameModels.build(doc.flames(), flameFilter);
                            yield () -> { flame.modeProperty().set(key.mode()); flame.setData(fd); };
                        }
                        case NUMA -> {
                            NumaModel nm = NumaModels.build(doc.reader(), r.start(), r.end());
                            yield () -> numa.setModel(nm);
                        }
                        case THREADS -> {
                            List<Model.ThreadSummary> ts = doc.reader().threadSummaries(r.start(), r.end());
                            yield () -> {
                                syncingRow = true; // new rows move the table's selection: not the user's choice
                                try {
                                    threads.setRows(ts);
                                } finally {
                                    syncingRow = false;
                                }
                                showSelectedRow();
                            };
                        }
                        case LATENCY -> {
                            Map<Integer, ThreadInfo> info = src.threads();
                            long[] lat = doc.reader().wakeupLatencies(r.start(), r.end(), u -> {
                                if (key.utid() >= 0 && u != key.utid()) return false;
                                if (key.pids().isEmpty()) return true;
                                ThreadInfo ti = info.get(u);
                                return ti != null && key.pids().contains(ti.pid());
                            });
                            LatencyHistogram.Counts c = LatencyHistogram.Counts.of(lat, lat.length);
                            yield () -> latency.show(c);
                        }
                    };
                } catch (IOException e) {
                    if (isCancelled()) return null;
                    throw e;
                }
            }

            @Override protected void cancelled() {
                doc.interruptPanelQueries();
            }
        };
    }

    /** Whether the Threads panel shows the current range and filter (else an export computes its rows itself). */
    boolean threadsCurrent() {
        return currentKey(Panel.THREADS).equals(loadedKey[Panel.THREADS.ordinal()]);
    }

    /** Number of completed panel loads (for tests and scripts that wait for the panels). */
    public long panelsLoaded() { return panelsLoaded; }

    void setOnPanelsLoaded(Runnable r) { onPanelsLoaded = r == null ? () -> { } : r; }

    // --- live -----------------------------------------------------------------------------------------------

    /**
     * Shows what a live refresh read: the timeline gets the grown trace; with "follow live edge" the visible
     * window slides to the newest data (keeping its width, or the whole trace if it showed all of it), without
     * it the window and the selection stay where the user left them.
     */
    void liveRefreshed() {
        TimeRange oldBounds = selection.getBounds();
        TimeRange vis = selection.getVisibleRange();
        TimeRange sel = selection.getSelectedRange();
        boolean showedAll = vis.start() <= oldBounds.start() && vis.end() >= oldBounds.end();
        boolean waited = timeline.getSource() == null;
        timeline.setSource(timelineSource()); // resets the selection to the new bounds
        TimeRange nb = selection.getBounds();
        if (follow.isSelected() || !liveProperty.get()) {
            if (!showedAll) selection.setVisibleRange(nb.end() - vis.duration(), nb.end(), 1);
        } else {
            selection.setVisibleRange(vis.start(), vis.end(), 1);
        }
        selection.selectedRangeProperty().set(sel);
        liveProperty.set(doc.isLive());
        setText(doc.title());
        updateEndTooltip();
        loadProcesses();
        updateRangeLabel();
        // the panels summarize the whole trace when nothing is selected: refresh them now and then, and as soon
        // as the first data is there
        boolean first = waited && timeline.getSource() != null;
        if (first) fitDivider(); // the lanes the recorder's topology brought
        if (!doc.isLive() || first || (sel == null && ++liveTicks % 8 == 0)) {
            epoch++;
            reloadPanels();
        }
    }

    /** The tab's tooltip says the file and, once a recording ended, when and how. */
    private void updateEndTooltip() {
        String how = doc.endWords();
        java.time.LocalTime at = doc.endedAt();
        String end = how == null || (at == null && !doc.recorderDied()) ? ""
                : doc.recorderDied() ? "\n" + Character.toUpperCase(how.charAt(0)) + how.substring(1)
                : "\nRecording ended at " + at + ": " + how;
        getTooltip().setText(doc.path() + end);
    }

    /**
     * The document's source once it has CPUs. A recorder creates the file before it wrote the machine's topology
     * and start time: until then the timeline waits instead of showing no lanes on a time axis from boot.
     */
    private ReaderTimelineSource timelineSource() {
        ReaderTimelineSource s = doc.source();
        return s.cpus().isEmpty() ? null : s;
    }

    public BooleanProperty followLiveEdgeProperty() { return follow.selectedProperty(); }

    public BooleanProperty liveProperty() { return liveProperty; }

    // --- accessors ------------------------------------------------------------------------------------------

    public TraceDocument document() { return doc; }

    /**
     * Where the divider goes and where a dragged divider is remembered; set right after construction, before the
     * window lays the tab out.
     */
    void useUiPrefs(UiPrefs p) { uiPrefs = p; }

    /** The split between the timeline (top) and the panels (bottom). */
    public SplitPane split() { return split; }

    /**
     * Once the window has a height, puts the divider where the user last left it or, the first time, gives the
     * timeline the room its lanes need (a 2-CPU trace does not need half the window), between a quarter and three
     * fifths of it. Where the user drags it is remembered for the next tab and the next run.
     */
    private void fitTimeline(SplitPane split) {
        javafx.beans.value.ChangeListener<Number> once = new javafx.beans.value.ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Number> o, Number was, Number h) {
                if (h.doubleValue() <= 0) return;
                fitDivider();
                split.heightProperty().removeListener(this);
            }
        };
        split.heightProperty().addListener(once);
        // only a drag by the user is remembered: the split also moves its divider itself (a tab laid out while
        // hidden, content minimums), and those positions are nobody's choice
        boolean[] dragging = {false};
        split.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_PRESSED, e -> {
            dragging[0] = false;
            for (Node n = e.getPickResult().getIntersectedNode(); n != null && n != split; n = n.getParent()) {
                if (n.getStyleClass().contains("split-pane-divider")) dragging[0] = true;
            }
        });
        split.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_RELEASED, e -> {
            if (dragging[0] && uiPrefs != null) uiPrefs.setDivider(split.getDividerPositions()[0]);
            dragging[0] = false;
        });
    }
    /** The divider where the user last left it, else where the timeline's lanes fit (see {@link #fitTimeline}). */
    private void fitDivider() {
        double h = split.getHeight();
        if (h <= 0) return;
        int cpus = Math.max(1, timeline.getSource() == null ? doc.summary().cpus() : timeline.getSource().cpus().size());
        int nodes = Math.max(1, doc.summary().nodes());
        double wanted = TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H + nodes * TimelineLayout.NODE_H
                + cpus * TimelineLayout.CPU_PITCH + 24;
        double saved = uiPrefs == null ? Double.NaN : uiPrefs.divider();
        split.setDividerPositions(!Double.isNaN(saved) ? saved : Math.max(0.25, Math.min(0.6, wanted / h)));
    }

    public TraceSelection selection() { return selection; }

    AnalysisPanel analysisPanel() { return analysis; }

    BookmarksPanel bookmarksPanel() { return bookmarks; }

    ComparePanel comparePanel() { return compare; }
    public TimelineView timeline() { return timeline; }
    public FlameGraph flameGraph() { return flame; }
    public NumaView numaView() { return numa; }
    public TableViewAccess threadsTable() { return new TableViewAccess(threads); }
    LatencyHistogram latencyHistogram() { return latency; }
    public TabPane panels() { return panels; }
    public CheckComboBox<ProcessItem> processFilter() { return processes; }
    public TextField searchField() { return search; }

    /** The node a "current view" screenshot shows: the selected panel's content. */
    public Node currentPanel() { return panels.getSelectionModel().getSelectedItem().getContent(); }

    /** Read access to the Threads table (rows shown and their columns), for exports and tests. */
    public record TableViewAccess(javafx.scene.control.TableView<Model.ThreadSummary> table) {}

    private void close() {
        for (Task<?> t : panelTasks) if (t != null) t.cancel();
        try {
            doc.close();
        } catch (IOException ignored) {
            // closing a read-only reader cannot lose data
        }
    }
}
