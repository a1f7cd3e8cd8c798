package dev.kernscope.app.desktop;

import dev.kernscope.app.cli.Format;
import dev.kernscope.storage.DiffTree;
import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.views.analysis.DiffFlameGraph;
import dev.kernscope.views.model.DiffFlameData;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.stage.FileChooser;
import javafx.util.Duration;

/**
 * Compares two profiles as a differential flame graph, and the threads side by side (runtime, wait, p99 latency):
 * B is the panels' range of this trace, A (the baseline) a range of this trace set with "A = selection", or
 * another trace (the same range from its start, or all of it).
 * Built off the FX thread with storage's {@link DiffTree}. Confined to the FX thread.
 */
final class ComparePanel extends BorderPane {
    private final TraceDocument doc;
    private final Supplier<TimeRange> range;
    private final Consumer<Task<?>> runner;
    private final DiffFlameGraph graph = new DiffFlameGraph();
    /** One thread in both ranges (matched by thread in one trace, by process and thread name across two). */
    record AbRow(String thread, String process, long runA, long runB, long waitA, long waitB, long p99A, long p99B) {}

    private final javafx.scene.control.TableView<AbRow> abTable = new javafx.scene.control.TableView<>();
    private Task<?> abTask;
    private final ChoiceBox<FlameQueries.Mode> mode = new ChoiceBox<>();
    private final Label what = new Label();
    private final PauseTransition debounce = new PauseTransition(Duration.millis(250));
    private TimeRange baseRange;
    private Path baseTrace;
    private Task<?> task;
    private long loaded;

    ComparePanel(TraceDocument doc, TraceSelection selection, Supplier<TimeRange> range, Consumer<Task<?>> runner) {
        this.doc = doc;
        this.range = range;
        this.runner = runner;
        getStyleClass().add("compare-panel");
        graph.placeholderProperty().set("Pick a baseline: select a range and press \"A = selection\", or open a baseline trace");
        mode.getItems().setAll(FlameQueries.Mode.values());
        mode.setValue(FlameQueries.Mode.ON);
        mode.setOnAction(e -> reload());
        Button setA = new Button("A = selection");
        setA.setOnAction(e -> {
            baseTrace = null;
            baseRange = selection.getSelectedRange() != null ? selection.getSelectedRange() : range.get();
            reload();
        });
        Button other = new Button("Baseline trace…");
        other.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Baseline trace (A)");
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("kernscope traces", "*.ktrace"));
            java.io.File f = fc.showOpenDialog(getScene() == null ? null : getScene().getWindow());
            if (f != null) setBaselineTrace(f.toPath());
        });
        javafx.scene.control.CheckBox shares = new javafx.scene.control.CheckBox("Shares");
        shares.setSelected(true);
        shares.setTooltip(new javafx.scene.control.Tooltip("Compare each frame's share of its side's whole (off: absolute time)"));
        graph.normalizedProperty().bind(shares.selectedProperty());
        HBox bar = new HBox(6, new Label("Profile"), mode, shares, setA, other, what);
        bar.setPadding(new Insets(4));
        setTop(bar);
        javafx.scene.control.TabPane tabs = new javafx.scene.control.TabPane(
                new javafx.scene.control.Tab("Flame graph A/B", graph), new javafx.scene.control.Tab("Threads A/B", abTable));
        tabs.setTabClosingPolicy(javafx.scene.control.TabPane.TabClosingPolicy.UNAVAILABLE);
        abTable.setPlaceholder(new Label("Pick a baseline to compare the threads"));
        abTable.setColumnResizePolicy(javafx.scene.control.TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        abTable.getColumns().add(abColumn("thread", AbRow::thread, 160, null));
        abTable.getColumns().add(abColumn("process", AbRow::process, 140, null));
        abTable.getColumns().add(abColumn("runtime A", AbRow::runA, 95, Format::duration));
        abTable.getColumns().add(abColumn("runtime B", AbRow::runB, 95, Format::duration));
        abTable.getColumns().add(abColumn("Δ runtime", r -> r.runB() - r.runA(), 95, v -> (v >= 0 ? "+" : "−") + Format.duration(Math.abs(v))));
        abTable.getColumns().add(abColumn("wait A", AbRow::waitA, 95, Format::duration));
        abTable.getColumns().add(abColumn("wait B", AbRow::waitB, 95, Format::duration));
        abTable.getColumns().add(abColumn("latency p99 A", AbRow::p99A, 105, Format::duration));
        abTable.getColumns().add(abColumn("latency p99 B", AbRow::p99B, 105, Format::duration));
        setCenter(tabs);
        debounce.setOnFinished(e -> reload());
        selection.selectedRangeProperty().addListener(o -> debounce.playFromStart());
    }

    DiffFlameGraph graph() { return graph; }

    long loaded() { return loaded; }

    /** Compares with this trace's {@code r} as A. */
    void setBaselineRange(TimeRange r) {
        baseTrace = null;
        baseRange = r;
        reload();
    }

    /** Compares with another trace as A: the same range from its start, or all of it. */
    void setBaselineTrace(Path p) {
        baseTrace = p;
        baseRange = null;
        reload();
    }

    void reload() {
        if (task != null) task.cancel();
        if (baseRange == null && baseTrace == null) return;
        TimeRange b = range.get();
        FlameQueries.Mode m = mode.getValue();
        long start = doc.summary().startTs();
        TimeRange a = baseRange;
        Path other = baseTrace;
        String labelA = other != null ? "A " + other.getFileName() : "A at +" + Format.duration(a.start() - start);
        String labelB = "B at +" + Format.duration(b.start() - start);
        what.setText(labelA + (other != null ? "" : " (" + Format.duration(a.duration()) + ")") + " vs " + labelB + " ("
                + Format.duration(b.duration()) + ")");
        Task<DiffFlameData> t = new Task<>() {
            @Override protected DiffFlameData call() throws Exception {
                updateTitle("Comparing profiles");
                if (other == null) {
                    FlameTree tb = doc.flames().tree(FlameQueries.Filter.of(b.start(), b.end(), m));
                    FlameTree ta = doc.flames().tree(FlameQueries.Filter.of(a.start(), a.end(), m));
                    return data(DiffTree.of(ta, tb), labelA, labelB);
                }
                try (TraceReader r = TraceReader.open(other)) {
                    long[] ob = r.bounds();
                    long from = ob[0] + (b.start() - start), to = from + b.duration();
                    boolean whole = b.duration() >= doc.summary().duration();
                    // another reader: the baseline's tree builds on another thread while this trace's builds here
                    java.util.concurrent.CompletableFuture<FlameTree> ta = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return new FlameQueries(r).tree(FlameQueries.Filter.of(whole ? ob[0] : from, whole ? ob[1] + 1 : to, m));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    FlameTree tb = doc.flames().tree(FlameQueries.Filter.of(b.start(), b.end(), m));
                    try {
                        return data(DiffTree.of(ta.join(), tb), labelA, labelB);
                    } catch (java.util.concurrent.CompletionException e) {
                        throw e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e;
                    }
                }
            }
        };
        t.setOnSucceeded(e -> {
            if (t != task) return;
            graph.setData(t.getValue());
            loaded++;
        });
        t.setOnFailed(e -> {
            if (t != task) return;
            graph.setData(null);
            graph.placeholderProperty().set("Cannot compare: " + t.getException().getMessage());
            loaded++;
        });
        task = t;
        runner.accept(t);
        reloadThreads(a, b, other, start);
    }

    /** The Threads A/B table: per thread, runtime, wait and p99 latency in A and in B, largest change first. */
    private void reloadThreads(TimeRange a, TimeRange b, Path other, long start) {
        if (abTask != null) abTask.cancel();
        Task<java.util.List<AbRow>> t = new Task<>() {
            @Override protected java.util.List<AbRow> call() throws Exception {
                updateTitle("Comparing threads");
                java.util.List<dev.kernscope.storage.Model.ThreadSummary> sb = doc.reader().threadSummaries(b.start(), b.end()), sa;
                if (other == null) {
                    sa = doc.reader().threadSummaries(a.start(), a.end());
                } else {
                    try (TraceReader r = TraceReader.open(other)) {
                        long[] ob = r.bounds();
                        boolean whole = b.duration() >= doc.summary().duration();
                        long from = whole ? ob[0] : ob[0] + (b.start() - start), to = whole ? ob[1] + 1 : from + b.duration();
                        sa = r.threadSummaries(from, to);
                    }
                }
                java.util.Map<String, long[]> m = new java.util.LinkedHashMap<>();
                java.util.Map<String, String[]> names = new java.util.HashMap<>();
                for (int side = 0; side < 2; side++) {
                    for (var ts : side == 0 ? sa : sb) {
                        String key = other == null ? Integer.toString(ts.utid()) : ts.processName() + "\u0000" + ts.name();
                        long[] v = m.computeIfAbsent(key, k -> new long[6]);
                        names.putIfAbsent(key, new String[] {ts.name(), ts.processName()});
                        v[side] += ts.runtime();
                        v[2 + side] += ts.waitTime();
                        v[4 + side] = Math.max(v[4 + side], ts.latencyP99());
                    }
                }
                java.util.List<AbRow> rows = new java.util.ArrayList<>();
                for (var e : m.entrySet()) {
                    long[] v = e.getValue();
                    String[] n = names.get(e.getKey());
                    rows.add(new AbRow(n[0], n[1], v[0], v[1], v[2], v[3], v[4], v[5]));
                }
                rows.sort((x, y) -> Long.compare(Math.abs(y.runB() - y.runA()), Math.abs(x.runB() - x.runA())));
                return rows;
            }
        };
        t.setOnSucceeded(e -> {
            if (t == abTask) abTable.getItems().setAll(t.getValue());
        });
        abTask = t;
        runner.accept(t);
    }

    javafx.scene.control.TableView<AbRow> abTable() { return abTable; }

    private static <T> javafx.scene.control.TableColumn<AbRow, T> abColumn(String name, java.util.function.Function<AbRow, T> f,
                                                                           double w, java.util.function.Function<T, String> fmt) {
        javafx.scene.control.TableColumn<AbRow, T> c = new javafx.scene.control.TableColumn<>(name);
        c.setCellValueFactory(d -> new javafx.beans.property.ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        c.setPrefWidth(w);
        if (fmt != null) {
            c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
                @Override protected void updateItem(T v, boolean empty) {
                    super.updateItem(v, empty);
                    setText(empty || v == null ? null : fmt.apply(v));
                }
            });
            c.getStyleClass().add("numeric");
        }
        return c;
    }

    /** The view's copy of a differential tree. */
    static DiffFlameData data(DiffTree d, String labelA, String labelB) {
        int n = d.size();
        int[] depth = new int[n], end = new int[n];
        String[] name = new String[n];
        long[] a = new long[n], b = new long[n];
        for (int i = 0; i < n; i++) {
            depth[i] = d.depth(i);
            end[i] = d.end(i);
            name[i] = d.name(i);
            a[i] = d.totalA(i);
            b[i] = d.totalB(i);
        }
        return new DiffFlameData(depth, end, name, a, b, labelA, labelB);
    }
}
