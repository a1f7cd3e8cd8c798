package dev.kernscope.app.desktop;

import dev.kernscope.app.cli.CsvExport;
import dev.kernscope.app.cli.Format;
import dev.kernscope.storage.Model;
import dev.kernscope.storage.TraceFormatException;
import dev.kernscope.views.model.TimeRange;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Dialog;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;

/**
 * The kernscope main window: menu bar and toolbar, one tab per open trace, the status bar; opening, exporting
 * and following live traces, and showing a {@link Recording} (which owns the recording's lifecycle). Long work runs on a background executor with progress in the status bar
 * and a Cancel button. The public methods are the menu actions without their file choosers, so tests and
 * scripts can call them. Confined to the FX thread.
 */
public final class MainWindow {
    public static final String VERSION = "0.1.0";

    /** What a screenshot shows. */
    public enum Shot { WINDOW, TIMELINE, PANEL }

    private final Stage stage;
    private final BorderPane root = new BorderPane();
    private final TabPane docs = new TabPane();
    private final StatusBar status = new StatusBar();
    private final Button cancel = new Button("Cancel");
    private final Label liveBadge = new Label();
    private final Menu recentMenu = new Menu("Open Recent");
    private final CheckMenuItem twoX = new CheckMenuItem("Screenshots at 2× Scale");
    private final CheckMenuItem followItem = new CheckMenuItem("Follow Live Edge");
    private final MenuItem stopItem = new MenuItem("Stop Recording");
    private final Button stopButton = new Button("■ Stop");
    private final RecentFiles recent;
    private final UiPrefs ui;
    private final ExecutorService workers;
    private final ScheduledExecutorService poller;
    private final List<Task<?>> running = new ArrayList<>();
    private final Map<TraceDocument, Model.TracerCost> lastCost = new HashMap<>();
    private String rateText = "";
    private Recording<TraceDocument> recording;
    private TraceTab recordingTab;
    private Dialog<?> lastDialog;
    private Alert lastAlert;
    private int pollTick;

    public MainWindow(Stage stage, RecentFiles recent) {
        this(stage, recent, UiPrefs.user());
    }

    public MainWindow(Stage stage, RecentFiles recent, UiPrefs ui) {
        this.stage = stage;
        this.recent = recent;
        this.ui = ui;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "kernscope-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kernscope-live-poll");
            t.setDaemon(true);
            return t;
        });
        docs.setTabClosingPolicy(TabPane.TabClosingPolicy.ALL_TABS);
        docs.getStyleClass().add("documents");
        Label empty = new Label("Open a trace (Ctrl+O), drop a .ktrace file here, or record one (Ctrl+R)");
        empty.getStyleClass().add("empty-hint");
        StackPane center = new StackPane(empty, docs);
        docs.visibleProperty().bind(Bindings.isNotEmpty(docs.getTabs()));
        root.setCenter(center);
        root.setTop(new VBox(menuBar(), toolBar()));
        root.setBottom(statusBar());
        root.getStyleClass().add("kernscope-root");

        double[] size = initialSize();
        Scene scene = new Scene(root, size[0], size[1]);
        scene.getStylesheets().add(MainWindow.class.getResource("kernscope.css").toExternalForm());
        scene.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
            e.consume();
        });
        scene.setOnDragDropped(e -> {
            boolean ok = e.getDragboard().hasFiles();
            if (ok) for (java.io.File f : e.getDragboard().getFiles()) open(f.toPath());
            e.setDropCompleted(ok);
            e.consume();
        });
        stage.setScene(scene);
        stage.setTitle("kernscope");
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        // explicitly: a stage shown before keeps its old size when it only gets a new scene
        stage.setWidth(size[0]);
        stage.setHeight(size[1]);
        stage.centerOnScreen();
        if (size[2] != 0) stage.setMaximized(true);
        stage.setOnHidden(e -> shutdown());
        keepLayoutAcrossDialogs();
        docs.getSelectionModel().selectedItemProperty().addListener(o -> { updateTitle(); updateStatus(); });
        poller.scheduleWithFixedDelay(this::pollLive, 250, 250, TimeUnit.MILLISECONDS);
        refreshRecent();
        updateStatus();
    }

    // --- window ---------------------------------------------------------------------------------------------

    /**
     * The first window's size {width, height, maximized}: the size it had when last closed if it still fits the
     * screen, else most of the screen (maximized on screens of 1366×768 and less, where every pixel counts).
     */
    private double[] initialSize() {
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        double sw = screen.getWidth(), sh = screen.getHeight();
        double[] saved = ui.windowSize();
        if (saved != null && saved[0] <= sw && saved[1] <= sh) return saved;
        boolean small = sw <= 1366 || sh <= 800;
        return new double[]{Math.max(Math.min(sw, 900), Math.floor(sw * 0.9)), Math.max(Math.min(sh, 600), Math.floor(sh * 0.9)),
                small ? 1 : 0};
    }

    /**
     * Some window managers drop the main window's maximized state while a modal dialog is up, and the scene is not
     * laid out again afterwards (the overview stays blank until the next event): when a dialog of ours closes,
     * restore the state the window had when it opened and lay the scene out again.
     */
    private void keepLayoutAcrossDialogs() {
        javafx.collections.ListChangeListener<javafx.stage.Window> l = c -> {
            while (c.next()) {
                for (javafx.stage.Window w : c.getAddedSubList()) {
                    if (w == stage || !(w instanceof Stage d) || d.getOwner() != stage) continue;
                    boolean max = stage.isMaximized();
                    d.addEventHandler(javafx.stage.WindowEvent.WINDOW_HIDDEN, e -> Platform.runLater(() -> {
                        if (max && !stage.isMaximized()) stage.setMaximized(true);
                        root.requestLayout();
                        root.applyCss();
                        root.layout();
                    }));
                }
            }
        };
        javafx.stage.Window.getWindows().addListener(l);
        stage.addEventHandler(javafx.stage.WindowEvent.WINDOW_HIDDEN, e -> javafx.stage.Window.getWindows().removeListener(l));
    }

    // --- chrome ---------------------------------------------------------------------------------------------

    private MenuBar menuBar() {
        MenuItem open = item("Open…", "Shortcut+O", this::chooseAndOpen);
        MenuItem openSample = item("Open Sample Trace", null, this::openSample);
        MenuItem close = item("Close", "Shortcut+W", this::closeCurrent);
        MenuItem record = item("Record…", "Shortcut+R", this::showRecordDialog);
        stopItem.setOnAction(e -> stopRecording());
        stopItem.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+R"));
        stopItem.setDisable(true);
        MenuItem quit = item("Quit", "Shortcut+Q", stage::close);
        Menu file = new Menu("File", null, open, recentMenu, openSample, close, new SeparatorMenuItem(), record,
                stopItem, new SeparatorMenuItem(), quit);

        Menu shots = new Menu("Screenshot (PNG)", null,
                item("Whole Window…", "Shortcut+Shift+S", () -> chooseAndShoot(Shot.WINDOW)),
                item("Timeline…", null, () -> chooseAndShoot(Shot.TIMELINE)),
                item("Current Panel…", null, () -> chooseAndShoot(Shot.PANEL)),
                new SeparatorMenuItem(), twoX);
        MenuItem slices = item("", null, () -> chooseAndExportCsv(CsvExport.Kind.slices));
        MenuItem wakeups = item("", null, () -> chooseAndExportCsv(CsvExport.Kind.wakeups));
        MenuItem numaCsv = item("", null, () -> chooseAndExportCsv(CsvExport.Kind.numa));
        MenuItem samples = item("", null, () -> chooseAndExportCsv(CsvExport.Kind.samples));
        Menu csv = new Menu("CSV", null, item("Threads Table (as shown)…", null, () -> chooseAndExportCsv(null)),
                slices, wakeups, numaCsv, samples);
        // the range items say which range they export: the selection, or the whole trace when nothing is selected
        csv.setOnShowing(e -> {
            String of = rangeWords();
            slices.setText("Slices of " + of + "…");
            wakeups.setText("Wakeups of " + of + "…");
            numaCsv.setText("NUMA Series of " + of + "…");
            samples.setText("Stack Samples of " + of + "…");
        });
        csv.getOnShowing().handle(null);
        Menu export = new Menu("Export", null, shots, csv, item("Folded Stacks (FlameGraph, speedscope)…", null, () -> {
            if (currentTab() == null) { showError("Nothing to export", "Open a trace first."); return; }
            Path p = chooseSave("Export the flame graph's stacks (" + rangeWords() + ") as folded stacks",
                    baseName() + ".folded", "folded");
            if (p != null) exportFolded(p);
        }));

        followItem.setSelected(true);
        followItem.setOnAction(e -> { TraceTab t = currentTab(); if (t != null) t.followLiveEdgeProperty().set(followItem.isSelected()); });
        Menu view = new Menu("View", null,
                item("Zoom In", "Shortcut+EQUALS", () -> onTimeline(t -> t.timeline().zoom(0.5))),
                item("Zoom Out", "Shortcut+MINUS", () -> onTimeline(t -> t.timeline().zoom(2))),
                item("Zoom to Fit", "Shortcut+0", () -> onTimeline(t -> t.timeline().zoomToFit())),
                item("Zoom to Selection", "Shortcut+E", () -> onTimeline(t -> {
                    if (!t.timeline().zoomToSelection()) status.setText("Select a range first: drag on the ruler, or Shift+drag on the lanes");
                })),
                new SeparatorMenuItem(),
                item("Flame Graph", "Shortcut+1", () -> showPanel(0)),
                item("NUMA", "Shortcut+2", () -> showPanel(1)),
                item("Threads", "Shortcut+3", () -> showPanel(2)),
                item("Latency Histogram", "Shortcut+4", () -> showPanel(3)),
                new SeparatorMenuItem(),
                item("Clear Selection and Filters", "Shortcut+Shift+A", () -> { TraceTab t = currentTab(); if (t != null) t.clearSelection(); }),
                followItem);
        Menu help = new Menu("Help", null, item("Keyboard and Mouse", "F1", this::showKeys), new SeparatorMenuItem(),
                item("About kernscope", null, this::showAbout));
        MenuBar mb = new MenuBar(file, export, view, help);
        mb.setUseSystemMenuBar(true);
        return mb;
    }

    private void onTimeline(java.util.function.Consumer<TraceTab> action) {
        TraceTab t = currentTab();
        if (t != null) action.accept(t);
    }

    /** "Selected Range (1.25 s)" or "the Whole Trace (no range selected)", for menu items and dialog titles. */
    private String rangeWords() {
        TraceTab t = currentTab();
        TimeRange r = t == null ? null : t.selection().getSelectedRange();
        return r != null && r.duration() > 0 ? "Selected Range (" + Format.duration(r.duration()) + ")"
                : "the Whole Trace (no range selected)";
    }

    private static MenuItem item(String text, String accel, Runnable action) {
        MenuItem m = new MenuItem(text);
        if (accel != null) m.setAccelerator(KeyCombination.keyCombination(accel));
        m.setOnAction(e -> action.run());
        return m;
    }

    private ToolBar toolBar() {
        Button open = tool("Open", "Open a .ktrace file (Ctrl+O)", this::chooseAndOpen);
        Button record = tool("● Record", "Record the scheduler, stacks and NUMA activity of this machine (Ctrl+R)",
                this::showRecordDialog);
        record.getStyleClass().add("record-button");
        stopButton.setOnAction(e -> stopRecording());
        stopButton.setTooltip(new Tooltip("Stop the recording; what was recorded stays open (Ctrl+Shift+R)"));
        stopButton.setDisable(true);
        Button shot = tool("Screenshot", "Save the window as PNG (Ctrl+Shift+S)", () -> chooseAndShoot(Shot.WINDOW));
        Button csv = tool("Export CSV", "Save the Threads table as CSV", () -> chooseAndExportCsv(null));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        liveBadge.getStyleClass().add("live-badge");
        liveBadge.setVisible(false);
        return new ToolBar(open, record, stopButton, new javafx.scene.control.Separator(), shot, csv, grow, liveBadge);
    }

    private static Button tool(String text, String tip, Runnable action) {
        Button b = new Button(text);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        b.setFocusTraversable(false);
        return b;
    }

    private Node statusBar() {
        cancel.setVisible(false);
        cancel.getStyleClass().add("cancel-button");
        cancel.setOnAction(e -> new ArrayList<>(running).forEach(Task::cancel));
        status.getRightItems().add(cancel);
        status.getStyleClass().add("kernscope-status");
        return status;
    }

    // --- background work ------------------------------------------------------------------------------------

    /** Runs {@code t} on a worker; the status bar shows its progress and offers Cancel while it runs. */
    public void run(Task<?> t) {
        if (workers.isShutdown()) { // the window closed; a late debounce or poll has nothing left to update
            t.cancel();
            return;
        }
        running.add(t);
        t.stateProperty().addListener((o, a, s) -> {
            if (s == Worker.State.SUCCEEDED || s == Worker.State.FAILED || s == Worker.State.CANCELLED) {
                running.remove(t);
                updateStatus();
            }
        });
        updateStatus();
        workers.execute(t);
    }

    /** True while background work of this window is running (tests wait for it). */
    public boolean busy() { return !running.isEmpty(); }

    // --- opening --------------------------------------------------------------------------------------------

    private void chooseAndOpen() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Open trace");
        fc.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("kernscope traces (*.ktrace)", "*.ktrace"),
                new FileChooser.ExtensionFilter("All files", "*"));
        fc.setInitialDirectory(ui.lastFolder().toFile());
        List<java.io.File> files = fc.showOpenMultipleDialog(stage);
        if (files == null || files.isEmpty()) return;
        ui.setLastFolder(files.get(0).toPath());
        for (java.io.File f : files) open(f.toPath());
    }

    /** Opens {@code path} in a new tab, off the FX thread; a bad file shows the error dialog. */
    public Task<TraceDocument> open(Path path) { return open(path, false); }

    Task<TraceDocument> open(Path path, boolean syntheticSample) {
        return open(path, syntheticSample, true);
    }

    /** Opens a trace in a new tab, which becomes the selected one if {@code select}. */
    Task<TraceDocument> open(Path path, boolean syntheticSample, boolean select) {
        Task<TraceDocument> t = new Task<>() {
            @Override protected TraceDocument call() throws Exception {
                updateTitle("Opening " + path.getFileName());
                updateProgress(-1, 1);
                TraceDocument d = TraceDocument.open(path, syntheticSample);
                if (isCancelled()) { d.close(); return null; }
                return d;
            }
        };
        t.setOnSucceeded(e -> {
            TraceDocument d = t.getValue();
            if (d == null) return;
            addTab(d, select || docs.getTabs().isEmpty());
            // damage opening cannot see (a packed chunk deep in the file) shows when the timeline reaches it
            d.source().onDamage(x -> Platform.runLater(() -> showError("Part of " + path.getFileName() + " cannot be shown",
                    TraceFormatException.oneLine(x) + ". The lanes it holds stay empty; the rest of the trace is shown.")));
            if (!syntheticSample) recent.add(path);
            refreshRecent();
        });
        t.setOnFailed(e -> {
            showError("Cannot open " + path.getFileName(), TraceFormatException.oneLine(t.getException()));
        });
        run(t);
        return t;
    }

    /**
     * Opens the bundled samples (the recorded ones if installed, the two-node NUMA recording in a second tab;
     * else a SYNTHETIC one, labelled so); the first stays selected.
     */
    public void openSample() {
        Task<java.util.List<SampleTraces.Sample>> t = new Task<>() {
            @Override protected java.util.List<SampleTraces.Sample> call() throws Exception {
                updateTitle("Preparing the sample trace");
                updateProgress(-1, 1);
                return SampleTraces.findAll();
            }
        };
        t.setOnSucceeded(e -> {
            // Opened one after the other so the tabs keep the samples' order; the first one ends up selected.
            java.util.List<SampleTraces.Sample> samples = t.getValue();
            openInOrder(samples, 0);
        });
        t.setOnFailed(e -> showError("Cannot prepare the sample trace", String.valueOf(t.getException().getMessage())));
        run(t);
    }

    /** Opens the samples one after the other, so the tabs keep their order; only the first is selected. */
    private void openInOrder(java.util.List<SampleTraces.Sample> samples, int i) {
        if (i == samples.size()) return;
        Task<TraceDocument> t = open(samples.get(i).path(), samples.get(i).synthetic(), i == 0);
        t.addEventHandler(javafx.concurrent.WorkerStateEvent.WORKER_STATE_SUCCEEDED, e -> openInOrder(samples, i + 1));
    }

    TraceTab addTab(TraceDocument d) {
        return addTab(d, true);
    }

    TraceTab addTab(TraceDocument d, boolean select) {
        TraceTab tab = new TraceTab(d, this::run);
        tab.useUiPrefs(ui);
        tab.setOnClosed(e -> { lastCost.remove(d); updateStatus(); });
        tab.selection().selectedRangeProperty().addListener(o -> updateStatus());
        tab.followLiveEdgeProperty().addListener((o, a, v) -> { if (tab == currentTab()) followItem.setSelected(v); });
        docs.getTabs().add(tab);
        if (select) docs.getSelectionModel().select(tab);
        updateStatus();
        return tab;
    }

    public void closeCurrent() {
        TraceTab t = currentTab();
        if (t == null) return;
        docs.getTabs().remove(t);
        if (t.getOnClosed() != null) t.getOnClosed().handle(null);
    }

    private void refreshRecent() {
        recentMenu.getItems().clear();
        for (Path p : recent.list()) recentMenu.getItems().add(item(p.toString(), null, () -> open(p)));
        if (recentMenu.getItems().isEmpty()) {
            MenuItem none = new MenuItem("No recent traces");
            none.setDisable(true);
            recentMenu.getItems().add(none);
        } else {
            recentMenu.getItems().addAll(new SeparatorMenuItem(), item("Clear List", null, () -> { recent.clear(); refreshRecent(); }));
        }
    }

    public List<TraceTab> tabs() {
        List<TraceTab> l = new ArrayList<>();
        for (Tab t : docs.getTabs()) if (t instanceof TraceTab tt) l.add(tt);
        return l;
    }

    public TraceTab currentTab() {
        return docs.getSelectionModel().getSelectedItem() instanceof TraceTab t ? t : null;
    }

    private void showPanel(int i) {
        TraceTab t = currentTab();
        if (t != null) t.panels().getSelectionModel().select(i);
    }

    // --- dialogs --------------------------------------------------------------------------------------------

    /** A non-blocking error dialog: a short header and the one-sentence reason, never a stack trace. */
    public Alert showError(String header, String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        a.initOwner(stage);
        a.setTitle("kernscope");
        a.setHeaderText(header);
        fitToContent(a);
        a.getDialogPane().setMinWidth(480);
        lastAlert = a;
        a.show();
        return a;
    }

    /** Dialogs take the height their content needs (JavaFX would otherwise squeeze them to a fixed height). */
    private static void fitToContent(Alert a) {
        a.getDialogPane().setMinHeight(Region.USE_PREF_SIZE);
        a.getDialogPane().setMinWidth(Region.USE_PREF_SIZE);
        a.setResizable(true);
        a.getDialogPane().getStylesheets().add(MainWindow.class.getResource("kernscope.css").toExternalForm());
    }

    /** Help › Keyboard and Mouse: a non-modal sheet, so it can stay open beside the timeline. */
    public Alert showKeys() {
        Alert a = new Alert(Alert.AlertType.NONE, "", ButtonType.CLOSE);
        a.initOwner(stage);
        a.initModality(javafx.stage.Modality.NONE);
        a.setTitle("Keyboard and Mouse — kernscope");
        a.setHeaderText("Keyboard and mouse");
        a.getDialogPane().setContent(KeysSheet.content());
        fitToContent(a);
        lastAlert = a;
        a.show();
        return a;
    }

    /** The last dialog shown (for tests). */
    public Alert lastAlert() { return lastAlert; }

    /** The last Record dialog shown (tests). */
    public Dialog<?> lastDialog() { return lastDialog; }

    private void showAbout() {
        TraceTab t = currentTab();
        StringBuilder sb = new StringBuilder();
        sb.append("kernscope ").append(VERSION).append('\n');
        sb.append("Java ").append(System.getProperty("java.runtime.version")).append(" (")
                .append(System.getProperty("java.vendor")).append(")\n");
        sb.append("JavaFX ").append(System.getProperty("javafx.runtime.version")).append('\n');
        Package cfx = org.controlsfx.control.StatusBar.class.getPackage();
        sb.append("ControlsFX ").append(cfx.getImplementationVersion() == null ? "11.2.2" : cfx.getImplementationVersion()).append('\n');
        sb.append("Running on ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append('\n');
        if (t != null) {
            Map<String, String> m = t.document().summary().meta();
            sb.append("\nCurrent trace: ").append(t.document().path()).append('\n');
            sb.append("Recorded on ").append(m.getOrDefault("hostname", "?")).append(", kernel ")
                    .append(m.getOrDefault("kernel_release", "?")).append(", kernscope ")
                    .append(m.getOrDefault("kernscope_version", "?")).append('\n');
            if (t.document().isSynthetic()) sb.append("SYNTHETIC data generated by kernscope gen, not a recording\n");
        }
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(stage);
        a.setTitle("About kernscope");
        a.setHeaderText("kernscope — scheduler, stacks and NUMA memory of Linux, recorded and explored");
        // a label is exactly as large as its text: nothing to scroll, nothing cut
        Label ta = new Label(sb.toString().strip());
        ta.getStyleClass().add("about-text");
        ta.setMinSize(Region.USE_PREF_SIZE, Region.USE_PREF_SIZE);
        a.getDialogPane().setContent(ta);
        fitToContent(a);
        lastAlert = a;
        a.show();
    }

    // --- export ---------------------------------------------------------------------------------------------

    /**
     * A save dialog titled with what it saves, starting in the folder last used (the home folder the first time);
     * the chosen folder is remembered.
     */
    private Path chooseSave(String title, String name, String ext) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        fc.setInitialFileName(name);
        fc.setInitialDirectory(ui.lastFolder().toFile());
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(ext.toUpperCase() + " files", "*." + ext));
        java.io.File f = fc.showSaveDialog(stage);
        if (f == null) return null;
        ui.setLastFolder(f.toPath());
        return f.toPath();
    }

    private String baseName() {
        TraceTab t = currentTab();
        String n = t == null ? "kernscope" : String.valueOf(t.document().path().getFileName());
        return n.endsWith(".ktrace") ? n.substring(0, n.length() - 7) : n;
    }

    private void chooseAndShoot(Shot what) {
        String of = switch (what) {
            case WINDOW -> "the whole window";
            case TIMELINE -> "the timeline";
            case PANEL -> "the current panel";
        };
        Path p = chooseSave("Save a screenshot of " + of + " as PNG", baseName() + "-" + what.name().toLowerCase() + ".png", "png");
        if (p != null) screenshot(what, twoX.isSelected() ? 2 : 1, p);
    }

    /** Writes a PNG of the window, the timeline or the current panel; returns false (and says why) on failure. */
    public boolean screenshot(Shot what, double scale, Path out) {
        TraceTab t = currentTab();
        Node node = switch (what) {
            case WINDOW -> root;
            case TIMELINE -> t == null ? null : t.timeline();
            case PANEL -> t == null ? null : t.currentPanel();
        };
        if (node == null) {
            showError("Nothing to take a screenshot of", "Open a trace first.");
            return false;
        }
        try {
            Screenshots.png(node, scale, out);
            status.setText("Saved " + out);
            return true;
        } catch (IOException e) {
            showError("Cannot save the screenshot", e.getMessage());
            return false;
        }
    }

    private void chooseAndExportCsv(CsvExport.Kind kind) {
        if (currentTab() == null) { showError("Nothing to export", "Open a trace first."); return; }
        String what = kind == null ? "the Threads table as shown" : switch (kind) {
            case slices -> "the scheduling slices of " + rangeWords();
            case wakeups -> "the wakeups of " + rangeWords();
            case numa -> "the NUMA counter series of " + rangeWords();
            case samples -> "the stack samples of " + rangeWords();
            default -> kind.name() + " of " + rangeWords();
        };
        Path p = chooseSave("Export " + what + " as CSV", baseName() + "-" + (kind == null ? "threads" : kind.name()) + ".csv", "csv");
        if (p != null) exportCsv(kind, p);
    }

    /**
     * Writes CSV in the background: {@code kind} null = the Threads table as shown (filters applied), else that
     * table for the selected range (the whole trace when nothing is selected).
     */
    public Task<Long> exportCsv(CsvExport.Kind kind, Path out) {
        TraceTab tab = currentTab();
        TimeRange r = tab.panelRange();
        // the Threads table as shown; if it was never shown for this range, its rows as it would show them
        List<Model.ThreadSummary> shown = kind == null && tab.threadsCurrent() ? List.copyOf(tab.threadsTable().table().getItems()) : null;
        var filter = tab.threadFilter();
        Task<Long> t = new Task<>() {
            @Override protected Long call() throws Exception {
                updateTitle("Exporting " + out.getFileName());
                updateProgress(-1, 1);
                try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                    List<Model.ThreadSummary> rows = shown;
                    if (kind == null && rows == null) {
                        rows = tab.document().reader().threadSummaries(r.start(), r.end()).stream().filter(filter)
                                .sorted(java.util.Comparator.comparingLong(Model.ThreadSummary::runtime).reversed()).toList();
                    }
                    return kind == null ? CsvExport.threadRows(rows, w)
                            : CsvExport.write(tab.document().reader(), kind, r.start(), r.end(), w);
                }
            }
        };
        t.setOnSucceeded(e -> status.setText("Wrote " + out + ": " + Format.count(t.getValue()) + " rows"));
        t.setOnFailed(e -> showError("Cannot export " + out.getFileName(), t.getException().getMessage()));
        run(t);
        return t;
    }

    /** Writes the flame graph's current selection (range, profile, process, thread) as folded stacks. */
    public Task<Void> exportFolded(Path out) {
        TraceTab tab = currentTab();
        var filter = tab.flameFilter();
        TraceDocument doc = tab.document();
        Task<Void> t = new Task<>() {
            @Override protected Void call() throws Exception {
                updateTitle("Exporting " + out.getFileName());
                updateProgress(-1, 1);
                try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                    dev.kernscope.storage.FoldedStacks.export(doc.reader(), filter, w);
                }
                return null;
            }
        };
        t.setOnSucceeded(e -> status.setText("Wrote " + out));
        t.setOnFailed(e -> showError("Cannot export " + out.getFileName(), t.getException().getMessage()));
        run(t);
        return t;
    }

    // --- recording ------------------------------------------------------------------------------------------

    private void showRecordDialog() {
        if (recording != null && recording.isRunning()) {
            showError("A recording is running", "Stop it before starting another.");
            return;
        }
        RecordDialog d = new RecordDialog(stage);
        lastDialog = d;
        d.showAndWait().ifPresent(this::startRecording);
    }

    /**
     * Starts a {@link Recording} along the best route and opens the file live as soon as it is readable. When
     * no route works, tells the user the one command to run.
     */
    public void startRecording(RecordingHelper.Options o) {
        RecordingHelper.Route route = RecordingHelper.route();
        if (route == RecordingHelper.Route.MANUAL) {
            Alert a = new Alert(Alert.AlertType.INFORMATION);
            a.initOwner(stage);
            a.setTitle("Record");
            a.setHeaderText(RecordingHelper.installed() == null
                    ? "Recording needs root: run this in a terminal, then open the file here (or install the "
                            + "recording helper once: sudo packaging/install-helper.sh)"
                    : "Recording needs root: run this in a terminal, then open the file here");
            TextArea cmd = new TextArea(RecordingHelper.manualCommand(o));
            cmd.setEditable(false);
            cmd.setWrapText(true);
            cmd.setPrefRowCount(3);
            a.getDialogPane().setContent(cmd);
            lastAlert = a;
            a.show();
            return;
        }
        Recording<TraceDocument> r;
        try {
            r = Recording.start(o, route, p -> TraceDocument.open(p, false), Platform::runLater, new Recording.Listener<>() {
                @Override public void opened(TraceDocument d) {
                    if (recording != null && recording.trace().equals(d.path().toAbsolutePath())) recordingTab = addTab(d);
                    else closeQuietly(d);
                }

                @Override public void didNotOpen(String why) {
                    showError("The recording did not start", why);
                }

                @Override public void ended(Recording.Outcome o) {
                    recordingEnded(o);
                }
            });
        } catch (IOException e) {
            showError("Cannot start the recorder", e.getMessage());
            return;
        }
        recording = r;
        recordingTab = null;
        setRecordingUi(true);
        status.setText("Starting the recorder (" + route.name().toLowerCase() + ")…");
    }

    private static void closeQuietly(TraceDocument d) {
        try {
            d.close();
        } catch (IOException ignored) {
            // read-only
        }
    }

    /** Stops the running recording; the file stays open and becomes a finished trace once the helper exits. */
    public void stopRecording() {
        if (recording != null && recording.isRunning()) {
            recording.stop();
            note("Stopping the recorder…");
        }
    }

    /** The current or last recording's helper, or null. */
    public RecordingHelper helper() { return recording == null ? null : recording.helper(); }

    private void recordingEnded(Recording.Outcome o) {
        if (recording == null || !recording.trace().equals(o.trace())) return;
        setRecordingUi(false);
        if (o.failed()) {
            showError("The recorder stopped unexpectedly", o.why() + (o.opened()
                    ? " What was recorded until then stays open." : ""));
        } else {
            note("Recording finished: " + o.trace());
        }
        if (!o.opened() && o.exitCode() == 0 && Files.exists(o.trace())) open(o.trace());
    }

    private void setRecordingUi(boolean on) {
        stopButton.setDisable(!on);
        stopItem.setDisable(!on);
        liveBadge.setVisible(on);
        liveBadge.setText(on ? "● REC" : "");
    }

    // --- live follow ----------------------------------------------------------------------------------------

    /** On the poll thread: refreshes every live document and hands changed ones to the FX thread. */
    private void pollLive() {
        List<TraceTab> live;
        try {
            live = onFxList();
        } catch (RuntimeException e) {
            return;
        }
        pollTick++;
        for (TraceTab tab : live) {
            try {
                boolean changed = tab.document().refreshLive(pollTick % 4 == 0, pollTick % 4 == 0);
                Platform.runLater(() -> {
                    if (changed) tab.liveRefreshed();
                    if (tab == currentTab()) updateStatus();
                });
            } catch (IOException e) {
                // a checkpoint or a half-written page: the next poll reads again
            }
        }
    }

    private List<TraceTab> onFxList() {
        java.util.concurrent.CompletableFuture<List<TraceTab>> f = new java.util.concurrent.CompletableFuture<>();
        Platform.runLater(() -> {
            List<TraceTab> l = new ArrayList<>();
            for (TraceTab t : tabs()) if (t.liveProperty().get()) l.add(t);
            f.complete(l);
        });
        try {
            return f.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }

    // --- status ---------------------------------------------------------------------------------------------

    private void updateTitle() {
        TraceTab t = currentTab();
        stage.setTitle(t == null ? "kernscope" : t.document().title() + " — kernscope"
                + (t.document().isSyntheticSample() ? "  (SYNTHETIC sample: generated data, not a recording)" : ""));
        if (t != null) followItem.setSelected(t.followLiveEdgeProperty().get());
    }

    /** Status bar: trace duration, events, lost events, selection; while recording, events/s and helper CPU. */
    void updateStatus() {
        Task<?> task = running.isEmpty() ? null : running.get(running.size() - 1);
        cancel.setVisible(task != null);
        status.progressProperty().unbind();
        if (task != null) {
            status.progressProperty().bind(task.progressProperty());
            status.setText(task.getTitle());
            return;
        }
        status.setProgress(0);
        if (System.nanoTime() < noteUntil) return;
        TraceTab t = currentTab();
        if (t == null) { status.setText("No trace open"); return; }
        TraceDocument d = t.document();
        Model.Summary s = d.summary();
        List<String> parts = new ArrayList<>();
        if (d.isLive() && d.source().cpus().isEmpty()) { // nothing to count yet: no "0 CPUs, 1 ns"
            status.setText("● recording, waiting for the first data");
            return;
        }
        if (d.isSynthetic()) parts.add("SYNTHETIC data");
        parts.add(Format.duration(d.source().traceEnd() - d.source().traceStart()));
        parts.add(s.cpus() + " CPUs, " + s.nodes() + " NUMA node" + (s.nodes() == 1 ? "" : "s"));
        Model.TracerCost c = d.tracerCost();
        long events = c != null && d.isLive() ? c.events() : d.eventCount();
        parts.add(Format.count(events) + " events");
        long lost = c != null && d.isLive() ? c.lost() : d.losses().lost();
        long offered = c != null && d.isLive() ? c.events() + c.lost() : d.losses().offered();
        parts.add(Format.count(lost) + " lost" + (lost > 0 && offered > 0
                ? String.format(java.util.Locale.ROOT, " (%.2f %% of offered)", 100.0 * lost / offered) : ""));
        TimeRange sel = t.selection().getSelectedRange();
        parts.add(sel == null ? "no selection" : "selection " + Format.duration(sel.duration()));
        String ended = d.endWords();
        if (d.recorderDied()) {
            parts.add(0, Character.toUpperCase(ended.charAt(0)) + ended.substring(1));
        } else if (ended != null && d.endedAt() != null) {
            parts.add(0, "Recording ended at " + d.endedAt() + ": " + ended);
        }
        if (d.isLive()) {
            parts.add(0, "● recording");
            if (c != null) {
                Model.TracerCost prev = lastCost.get(d);
                if (prev != null && c.ts() > prev.ts()) {
                    double dt = (c.ts() - prev.ts()) / 1e9;
                    rateText = String.format(java.util.Locale.ROOT, "%s events/s · helper CPU %.1f%%",
                            Format.count(Math.round((c.events() - prev.events()) / dt)),
                            100.0 * (c.cpuTimeNs() - prev.cpuTimeNs()) / (c.ts() - prev.ts()));
                }
                if (prev == null || c.ts() > prev.ts()) lastCost.put(d, c);
                if (!rateText.isEmpty()) parts.add(1, rateText);
            }
        }
        status.setText(String.join("   ·   ", parts));
    }

    private long noteUntil;

    /** A message the periodic status refresh (every 250 ms while a trace is live) leaves up for 5 s. */
    void note(String text) {
        status.setText(text);
        noteUntil = System.nanoTime() + 5_000_000_000L;
    }

    public StatusBar status() { return status; }

    public Stage stage() { return stage; }

    public BorderPane root() { return root; }

    private void shutdown() {
        ui.setWindowSize(stage.getWidth(), stage.getHeight(), stage.isMaximized());
        // the helper finishes the trace on its own once its stdin closes, also after this process is gone
        if (recording != null && recording.isRunning()) recording.stop();
        poller.shutdownNow();
        workers.shutdownNow();
        for (TraceTab t : tabs()) {
            try { t.document().close(); } catch (IOException ignored) { /* read-only */ }
        }
    }
}
