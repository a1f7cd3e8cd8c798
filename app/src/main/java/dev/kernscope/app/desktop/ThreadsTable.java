package dev.kernscope.app.desktop;

import dev.kernscope.app.cli.Format;
import dev.kernscope.storage.Model.ThreadSummary;
import java.util.function.Function;
import java.util.function.Predicate;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.controlsfx.control.table.TableFilter;

/**
 * Per-thread summary of the selected range: tid, process, runtime, wait, wakeup latency p50/p99/max,
 * switches, migrations. Sortable; each column has a ControlsFX filter menu, and the filter bar narrows it by
 * process and name. Confined to the FX thread.
 */
final class ThreadsTable extends TableView<ThreadSummary> {
    private final ObservableList<ThreadSummary> rows = FXCollections.observableArrayList();
    private final FilteredList<ThreadSummary> filtered = new FilteredList<>(rows);

    ThreadsTable() {
        getStyleClass().add("threads-table");
        setPlaceholder(new Label("No thread ran in the selected range"));
        setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        getColumns().add(text("tid", s -> s.tid(), 70));
        getColumns().add(text("thread", ThreadSummary::name, 150));
        getColumns().add(text("pid", s -> s.pid(), 70));
        getColumns().add(text("process", ThreadSummary::processName, 150));
        getColumns().add(nanos("runtime", ThreadSummary::runtime));
        getColumns().add(nanos("wait", ThreadSummary::waitTime));
        // a thread never woken in the range has no latency (a dash, sorted below every number), not 0 ns
        getColumns().add(nanos("latency p50", s -> s.wakeups() == 0 ? null : s.latencyP50()));
        getColumns().add(nanos("latency p99", s -> s.wakeups() == 0 ? null : s.latencyP99()));
        getColumns().add(nanos("latency max", s -> s.wakeups() == 0 ? null : s.latencyMax()));
        getColumns().add(count("switches", ThreadSummary::switches));
        getColumns().add(count("migrations", ThreadSummary::migrations));
        setItems(filtered);
        TableFilter.forTableView(this).lazy(true).apply();
        getSortOrder().add(getColumns().get(4));
        getColumns().get(4).setSortType(TableColumn.SortType.DESCENDING);
    }

    /** Replaces the rows (a new range or a live refresh); column filters and sort order stay. */
    void setRows(java.util.List<ThreadSummary> list) {
        rows.setAll(list);
        sort();
    }

    /** Narrows the rows shown (filter bar); null shows all. */
    void setFilter(Predicate<ThreadSummary> p) {
        filtered.setPredicate(p);
    }

    /** All rows of the range, before any filter. */
    ObservableList<ThreadSummary> allRows() { return rows; }

    private static <T> TableColumn<ThreadSummary, T> text(String name, Function<ThreadSummary, T> f, double w) {
        TableColumn<ThreadSummary, T> c = new TableColumn<>(name);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        c.setPrefWidth(w);
        return c;
    }

    private static TableColumn<ThreadSummary, Long> nanos(String name, Function<ThreadSummary, Long> f) {
        return numeric(name, f, 95, Format::duration);
    }

    private static TableColumn<ThreadSummary, Long> count(String name, Function<ThreadSummary, Long> f) {
        return numeric(name, f, 85, Format::count);
    }

    private static TableColumn<ThreadSummary, Long> numeric(String name, Function<ThreadSummary, Long> f, double w,
                                                            Function<Long, String> format) {
        TableColumn<ThreadSummary, Long> c = text(name, f, w);
        c.setCellFactory(col -> new TableCell<>() {
            @Override protected void updateItem(Long v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty ? null : v == null ? "—" : format.apply(v));
            }
        });
        c.getStyleClass().add("numeric");
        return c;
    }
}
