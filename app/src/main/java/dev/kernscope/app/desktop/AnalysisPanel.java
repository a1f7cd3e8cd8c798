package dev.kernscope.app.desktop;

import dev.kernscope.app.cli.Format;
import dev.kernscope.storage.CriticalPath;
import dev.kernscope.storage.ThreadState;
import dev.kernscope.storage.ThreadStates;
import dev.kernscope.views.analysis.SpanTrack;
import dev.kernscope.views.flame.FlameGraph;
import dev.kernscope.views.model.SpanRows;
import dev.kernscope.views.model.ThreadInfo;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.concurrent.Task;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The selected thread over the panels' range: its states as a track (running, runnable, sleeping,
 * uninterruptible, with wakers on hover), its critical path as a second track (each segment named by the thread
 * on the path), the path's table (per thread, time on the path running, runnable and blocked, and the NUMA
 * events inside it) and the stacks along the path as a flame graph. Computed off the FX thread, latest request wins. Confined to the FX thread.
 */
final class AnalysisPanel extends BorderPane {
    /** One row of the table, with the thread's name resolved. */
    record PathRow(String thread, int tid, CriticalPath.ThreadTotal total) {}

    /** Other threads of the selected thread's process shown under its path. */
    static final int SIBLINGS = 4;

    private final TraceDocument doc;
    private final TraceSelection selection;
    private final Supplier<TimeRange> range;
    private final Consumer<Task<?>> runner;
    private final SpanTrack track = new SpanTrack();
    private final TableView<PathRow> table = new TableView<>();
    /** The stacks along the path; its own selection, so that zooming into it leaves the trace's alone. */
    private final FlameGraph flame = new FlameGraph(new TraceSelection(), s -> { });
    private final javafx.scene.control.TabPane below;
    private final Label title = new Label();
    private final PauseTransition debounce = new PauseTransition(Duration.millis(200));
    private Task<?> task;
    private long loaded;

    AnalysisPanel(TraceDocument doc, TraceSelection selection, Supplier<TimeRange> range, Consumer<Task<?>> runner) {
        this.doc = doc;
        this.selection = selection;
        this.range = range;
        this.runner = runner;
        getStyleClass().add("analysis-panel");
        title.getStyleClass().add("analysis-title");
        title.setPadding(new javafx.geometry.Insets(4, 6, 4, 6));
        track.placeholderProperty().set("Select a thread (click one of its slices) to see its states and critical path");
        table.setPlaceholder(new Label("The critical path's threads appear here"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("thread", PathRow::thread, 180, null));
        table.getColumns().add(column("tid", PathRow::tid, 70, null));
        table.getColumns().add(column("on path", r -> r.total().total(), 95, Format::duration));
        table.getColumns().add(column("running", r -> r.total().running(), 95, Format::duration));
        table.getColumns().add(column("runnable", r -> r.total().runnable(), 95, Format::duration));
        table.getColumns().add(column("blocked", r -> r.total().blocked(), 95, Format::duration));
        table.getColumns().add(column("NUMA faults", r -> r.total().faults(), 95, Format::count));
        table.getColumns().add(column("pages migrated", r -> r.total().migratedPages(), 110, Format::count));
        table.getColumns().add(column("cross-node moves", r -> r.total().crossNodeMoves(), 120, Format::count));
        flame.modeProperty().set(dev.kernscope.views.model.FlameMode.WALL_CLOCK); // running and blocked time both
        setTop(title);
        below = new javafx.scene.control.TabPane(
                new javafx.scene.control.Tab("Threads on the path", table),
                new javafx.scene.control.Tab("Stacks on the path", flame));
        below.setTabClosingPolicy(javafx.scene.control.TabPane.TabClosingPolicy.UNAVAILABLE);
        VBox box = new VBox(track, below);
        track.setPrefHeight(150);
        track.setMinHeight(150);
        track.rowsProperty().addListener(o -> {
            // room for every row (two for the thread, up to SIBLINGS more), the hover card included
            int n = track.getRows() == null ? 2 : track.getRows().rows().size();
            double h = Math.max(150, 20 + n * 32 + 20);
            track.setPrefHeight(h);
            track.setMinHeight(h);
        });
        VBox.setVgrow(below, javafx.scene.layout.Priority.ALWAYS);
        setCenter(box);
        debounce.setOnFinished(e -> reload());
        selection.selectedUtidProperty().addListener(o -> debounce.playFromStart());
        selection.selectedRangeProperty().addListener(o -> debounce.playFromStart());
        reload();
    }

    private static <T> TableColumn<PathRow, T> column(String name, Function<PathRow, T> f, double w, Function<T, String> fmt) {
        TableColumn<PathRow, T> c = new TableColumn<>(name);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        c.setPrefWidth(w);
        if (fmt != null) {
            c.setCellFactory(col -> new TableCell<>() {
                @Override protected void updateItem(T v, boolean empty) {
                    super.updateItem(v, empty);
                    setText(empty || v == null ? null : fmt.apply(v));
                }
            });
            c.getStyleClass().add("numeric");
        }
        return c;
    }

    /** Number of completed loads (tests wait on it). */
    long loaded() { return loaded; }

    SpanTrack track() { return track; }

    TableView<PathRow> table() { return table; }

    FlameGraph flame() { return flame; }

    /** Shows the stacks on the path instead of its table. */
    void showStacks() { below.getSelectionModel().select(1); }

    /** Recomputes the tracks and the table for the selected thread and the panels' range. */
    void reload() {
        if (task != null) task.cancel();
        int utid = selection.getSelectedUtid();
        TimeRange r = range.get();
        if (utid < 0 || r == null || r.duration() <= 0) {
            title.setText("States and critical path");
            track.setRows(null);
            table.getItems().clear();
            flame.setData(null);
            loaded++;
            return;
        }
        String who = name(utid);
        title.setText("States and critical path of " + who + " over " + Format.duration(r.duration()));
        Task<Object[]> t = new Task<>() {
            @Override protected Object[] call() throws Exception {
                updateTitle("Critical path of " + who);
                List<ThreadStates.Span> states = new ThreadStates(doc.reader()).states(utid, r.start(), r.end());
                if (isCancelled()) return null;
                CriticalPath.Result path = new CriticalPath(doc.reader()).path(utid, r.start(), r.end());
                SpanRows.RowBuilder sb = new SpanRows.RowBuilder(who);
                // the off-CPU stacks of the longest blocks, innermost frames first, shown on hover
                var blockStacks = new ThreadStates(doc.reader()).offCpuStacks(utid, r.start(), r.end(), 5, 2000);
                for (ThreadStates.Span s : states) {
                    String waker = s.wakerUtid() > 0 ? "woken by " + name(s.wakerUtid()) : null;
                    String detail = describe(s.state(), s.cpu(), waker);
                    List<String> stack = s.state().blocked() ? blockStacks.get(s.ts()) : null;
                    if (stack != null) detail += "\n  " + String.join("\n  ", stack);
                    sb.add(s.ts(), s.end(), kind(s.state()), null, detail);
                }
                SpanRows.RowBuilder pb = new SpanRows.RowBuilder("critical path");
                for (CriticalPath.Segment s : path.segments()) {
                    pb.add(s.ts(), s.end(), kind(s.state()), name(s.utid()), describe(s.state(), s.cpu(), null));
                }
                List<PathRow> rows = new ArrayList<>();
                for (CriticalPath.ThreadTotal tt : path.threads()) {
                    ThreadInfo ti = doc.source().thread(tt.utid());
                    rows.add(new PathRow(ti == null ? "utid " + tt.utid() : ti.name(), ti == null ? 0 : ti.tid(), tt));
                }
                var stacks = dev.kernscope.app.adapt.FlameModels.of(new CriticalPath(doc.reader()).flame(path.segments(), doc.flames()));
                // the other threads of its process below, a few at most, so that a hand-off between them shows
                long[] markTs = new long[path.numa().size()];
                String[] markText = new String[markTs.length];
                for (int i = 0; i < markTs.length; i++) {
                    CriticalPath.NumaMark nm = path.numa().get(i);
                    markTs[i] = nm.ts();
                    markText[i] = name(nm.utid()) + "\n" + switch (nm.kind()) {
                        case FAULT -> "NUMA hinting fault, " + nm.pages() + " pages";
                        case MIGRATED_FAULT -> "NUMA hinting fault that migrated " + nm.pages() + " pages";
                        case CROSS_NODE_MOVE -> "moved to a CPU of another NUMA node";
                    };
                }
                List<SpanRows.Row> tracks = new ArrayList<>(List.of(sb.build(), pb.build().withMarks(markTs, markText)));
                ThreadInfo me = doc.source().thread(utid);
                if (me != null && me.pid() > 0) {
                    int shown = 0;
                    for (ThreadInfo ti : doc.source().threads().values()) {
                        if (ti.pid() != me.pid() || ti.utid() == utid || shown >= SIBLINGS || isCancelled()) continue;
                        List<ThreadStates.Span> ss = new ThreadStates(doc.reader()).states(ti.utid(), r.start(), r.end());
                        if (ss.isEmpty()) continue;
                        SpanRows.RowBuilder rb = new SpanRows.RowBuilder(name(ti.utid()));
                        for (ThreadStates.Span s : ss) {
                            rb.add(s.ts(), s.end(), kind(s.state()), null, describe(s.state(), s.cpu(),
                                    s.wakerUtid() > 0 ? "woken by " + name(s.wakerUtid()) : null));
                        }
                        tracks.add(rb.build());
                        shown++;
                    }
                }
                return new Object[] {new SpanRows(r.start(), r.end(), tracks), rows, stacks};
            }
        };
        t.setOnSucceeded(e -> {
            Object[] v = t.getValue();
            if (v == null || t != task) return;
            track.setRows((SpanRows) v[0]);
            @SuppressWarnings("unchecked") List<PathRow> rows = (List<PathRow>) v[1];
            table.getItems().setAll(rows);
            flame.setData((dev.kernscope.views.model.FlameData) v[2]);
            loaded++;
        });
        t.setOnFailed(e -> {
            if (t != task) return;
            track.placeholderProperty().set("Could not compute the critical path: " + t.getException().getMessage());
            track.setRows(null);
            loaded++;
        });
        task = t;
        runner.accept(t);
    }

    private String name(int utid) {
        ThreadInfo ti = doc.source().thread(utid);
        return ti == null ? "utid " + utid : ti.name() + " [" + ti.tid() + "]";
    }

    private static String describe(ThreadState s, int cpu, String waker) {
        String what = switch (s) {
            case PREEMPTED -> "runnable (preempted)";
            case WOKEN -> "runnable (woken, waiting for a CPU)";
            default -> s.word();
        };
        return what + (cpu >= 0 ? " on CPU " + cpu : "") + (waker == null ? "" : ", " + waker);
    }

    static byte kind(ThreadState s) {
        return switch (s) {
            case RUNNING -> SpanRows.RUNNING;
            case PREEMPTED, WOKEN -> SpanRows.RUNNABLE;
            case SLEEPING -> SpanRows.SLEEPING;
            case UNINTERRUPTIBLE -> SpanRows.UNINTERRUPTIBLE;
            default -> SpanRows.OTHER;
        };
    }
}
