package dev.kernscope.app.desktop;

import dev.kernscope.app.cli.Format;
import dev.kernscope.storage.Bookmarks;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;

/**
 * The trace's bookmarks: named marks and ranges, added from the selected range (a mark at its start when
 * nothing is selected but the view), saved with the trace or beside it ({@link Bookmarks}); double-clicking one
 * selects it. File work runs off the FX thread. Confined to the FX thread.
 */
final class BookmarksPanel extends BorderPane {
    private final TraceDocument doc;
    private final TraceSelection selection;
    private final Consumer<Task<?>> runner;
    private final TableView<Bookmarks.Bookmark> table = new TableView<>();
    private final TextField name = new TextField();
    private final Label status = new Label();
    private long loaded;

    BookmarksPanel(TraceDocument doc, TraceSelection selection, Consumer<Task<?>> runner) {
        this.doc = doc;
        this.selection = selection;
        this.runner = runner;
        getStyleClass().add("bookmarks-panel");
        table.setPlaceholder(new Label("No bookmarks: select a range in the timeline, name it and press Add"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableColumn<Bookmarks.Bookmark, String> n = new TableColumn<>("name");
        n.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(d.getValue().name()));
        n.setPrefWidth(240);
        TableColumn<Bookmarks.Bookmark, String> at = new TableColumn<>("at");
        at.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(Format.duration(d.getValue().ts() - start())));
        at.setPrefWidth(110);
        TableColumn<Bookmarks.Bookmark, String> len = new TableColumn<>("length");
        len.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(d.getValue().dur() == 0 ? "mark" : Format.duration(d.getValue().dur())));
        len.setPrefWidth(110);
        TableColumn<Bookmarks.Bookmark, String> where = new TableColumn<>("saved");
        where.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(d.getValue().inTrace() ? "in the trace" : "beside it"));
        table.getColumns().addAll(List.of(n, at, len, where));
        table.setRowFactory(tv -> {
            var row = new javafx.scene.control.TableRow<Bookmarks.Bookmark>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) show(row.getItem());
            });
            return row;
        });
        name.setPromptText("name");
        name.setPrefColumnCount(24);
        Button add = new Button("Add");
        add.setOnAction(e -> add());
        Button remove = new Button("Remove");
        remove.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> remove(table.getSelectionModel().getSelectedItem()));
        HBox bar = new HBox(6, name, add, remove, status);
        bar.setPadding(new Insets(4));
        setTop(bar);
        setCenter(table);
        reload();
    }

    private long start() {
        TimeRange b = selection.getBounds();
        return b == null ? 0 : b.start();
    }

    long loaded() { return loaded; }

    TableView<Bookmarks.Bookmark> table() { return table; }

    TextField nameField() { return name; }

    /** Adds the selected range (or a mark at the visible range's start) under the typed name. */
    void add() {
        TimeRange sel = selection.getSelectedRange();
        TimeRange vis = selection.getVisibleRange();
        long ts = sel != null ? sel.start() : vis != null ? vis.start() : start();
        long dur = sel != null ? sel.duration() : 0;
        String label = name.getText() == null || name.getText().isBlank() ? (dur == 0 ? "mark" : "range") : name.getText();
        run("Saving bookmark", () -> Bookmarks.of(doc.path()).add(ts, dur, label));
        name.clear();
    }

    void remove(Bookmarks.Bookmark b) {
        if (b != null) run("Removing bookmark", () -> { Bookmarks.of(doc.path()).remove(b); return null; });
    }

    /** Selects a range bookmark, or centres the view on a mark. */
    void show(Bookmarks.Bookmark b) {
        if (b.dur() > 0) {
            selection.selectedRangeProperty().set(new TimeRange(b.ts(), b.end()));
        } else {
            TimeRange v = selection.getVisibleRange();
            long half = v == null ? 1_000_000 : v.duration() / 2;
            selection.setVisibleRange(b.ts() - half, b.ts() + half, 1000);
        }
    }

    interface Io {
        Object run() throws Exception;
    }

    private void run(String what, Io io) {
        Task<List<Bookmarks.Bookmark>> t = new Task<>() {
            @Override protected List<Bookmarks.Bookmark> call() throws Exception {
                updateTitle(what);
                io.run();
                return Bookmarks.of(doc.path()).list();
            }
        };
        t.setOnSucceeded(e -> {
            table.getItems().setAll(t.getValue());
            status.setText("");
            loaded++;
        });
        t.setOnFailed(e -> {
            status.setText(t.getException().getMessage());
            loaded++;
        });
        runner.accept(t);
    }

    void reload() {
        run("Reading bookmarks", () -> null);
    }
}
