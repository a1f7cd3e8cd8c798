package dev.kernscope.views.numa;

import dev.kernscope.views.draw.Hash;
import dev.kernscope.views.draw.HoverCard;
import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.draw.TimeFormat;
import dev.kernscope.views.model.NumaModel;
import dev.kernscope.views.model.TimeRange;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.Locale;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.geometry.HPos;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.SkinBase;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;

/**
 * One canvas for topology, heat map and counter series, and a TableView (a few dozen rows) for pages per
 * process, stacked in a vertical scroll pane: each part gets the height its content needs (node cards wrap into
 * rows, the matrix keeps readable cells, every counter keeps its row), so with many nodes the panel scrolls
 * instead of cutting anything off. Confined to the FX thread.
 */
public class NumaViewSkin extends SkinBase<NumaView> {
    public static final double GUTTER = 120; // same as the timeline so the time axes line up
    static final double SERIES_H = 26;
    static final double TABLE_ROW_H = 22, TABLE_HEADER_H = 30;
    static final int TABLE_MIN_ROWS = 4, TABLE_MAX_ROWS = 12;
    static final double CARD_MIN_W = 170, CARD_MAX_W = 260, CARD_GAP = 12, CHIP_W = 30, CHIP_H = 22, CHIP_GAP = 5;
    static final int CHIP_ROWS_MAX = 4;
    static final double CELL_MIN = 30, CELL_MAX = 64, HEAT_LABEL_W = 64, LEGEND_W = 110;
    private static final Font FONT = Font.font("DejaVu Sans", 11);
    private static final Font BOLD = Font.font("DejaVu Sans", FontWeight.BOLD, 11);

    private final Canvas canvas = new Canvas();
    private final TableView<NumaModel.ProcessPages> table = new TableView<>();
    private final Label placeholder = new Label("No NUMA data");
    private final javafx.scene.control.ScrollPane scroller = new javafx.scene.control.ScrollPane();
    private final Region body;
    private final StyleColors c;
    private double topH, seriesY, seriesH, rowH = SERIES_H;
    /** Heat-map geometry of the last draw, for hover: left of column 0, top of row 0, cell size, nodes. */
    private double heatX, heatY, heatCell;
    private int heatN;
    private double mouseX = -1, mouseY = -1;

    public NumaViewSkin(NumaView v) {
        super(v);
        c = v.styleColors();
        placeholder.getStyleClass().add("placeholder");
        table.getStyleClass().add("pages-table");
        // widths are set in layoutChildren: a constrained policy gave the PID column all the room and cut the
        // node columns to "..." once the columns were rebuilt for a new model
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        body = new Region() {
            { getChildren().addAll(canvas, table); }

            // the scroll pane may ask without a width (-1): the height then is the one at the current width
            @Override protected double computePrefHeight(double w) { return contentHeight(w > 0 ? w : getWidth()); }

            @Override protected double computeMinHeight(double w) { return contentHeight(w > 0 ? w : getWidth()); }

            @Override protected void layoutChildren() { layoutBody(getWidth()); }
        };
        scroller.setContent(body);
        scroller.setFitToWidth(true);
        scroller.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        scroller.setVbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.AS_NEEDED);
        scroller.getStyleClass().add("numa-scroll");
        getChildren().addAll(scroller, placeholder);
        InvalidationListener re = o -> draw();
        v.modelProperty().addListener(o -> { rebuildTable(); body.requestLayout(); getSkinnable().requestLayout(); draw(); });
        v.getSelection().visibleRangeProperty().addListener(re);
        v.getSelection().selectedRangeProperty().addListener(re);
        c.addListener(re);
        canvas.setOnMouseMoved(e -> { mouseX = e.getX(); mouseY = e.getY(); draw(); });
        canvas.setOnMouseExited(e -> { mouseX = -1; mouseY = -1; draw(); });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, p) -> {
            if (p == null) return;
            v.getSelection().selectedUpidProperty().set(p.upid());
            v.fireChange();
        });
        rebuildTable();
    }

    private void rebuildTable() {
        NumaModel m = getSkinnable().getModel();
        table.getColumns().clear();
        if (m == null) { table.setItems(FXCollections.observableArrayList()); return; }
        TableColumn<NumaModel.ProcessPages, Number> pid = new TableColumn<>("PID");
        pid.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue().pid()));
        pid.setPrefWidth(70);
        TableColumn<NumaModel.ProcessPages, String> name = new TableColumn<>("Process");
        name.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue().name()));
        name.setPrefWidth(160);
        nameColumn = name;
        table.getColumns().add(pid);
        table.getColumns().add(name);
        for (NumaModel.Node n : m.nodes()) {
            TableColumn<NumaModel.ProcessPages, Number> col = new TableColumn<>("Node " + n.id() + " pages");
            int id = n.id();
            col.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(id < cd.getValue().pages().length ? cd.getValue().pages()[id] : 0));
            grouped(col);
            table.getColumns().add(col);
        }
        TableColumn<NumaModel.ProcessPages, Number> total = new TableColumn<>("Total");
        total.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue().total()));
        grouped(total);
        table.getColumns().add(total);
        table.setItems(FXCollections.observableArrayList(m.processes()));
        table.getSortOrder().add(total);
        total.setSortType(TableColumn.SortType.DESCENDING);
        table.sort();
    }

    /** Right-aligned with thousands separators; the cell value stays a number, so sorting stays numeric. */
    private static void grouped(TableColumn<NumaModel.ProcessPages, Number> col) {
        col.getStyleClass().add("numeric");
        col.setCellFactory(tc -> new TableCell<>() {
            @Override protected void updateItem(Number v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : grouped(v.longValue()));
            }
        });
    }

    static String grouped(long v) { return String.format(Locale.ROOT, "%,d", v); }

    @Override
    protected void layoutChildren(double x, double y, double w, double h) {
        NumaModel m = getSkinnable().getModel();
        placeholder.setVisible(m == null);
        scroller.setVisible(m != null);
        layoutInArea(placeholder, x, y, w, h, 0, HPos.CENTER, VPos.CENTER);
        scroller.resizeRelocate(x, y, w, h);
    }

    // The scroll pane takes whatever room the panel gets; its content, not the panel, is as tall as it must be.
    @Override protected double computeMinWidth(double h, double t, double r, double b, double l) { return l + r + 200; }

    @Override protected double computeMinHeight(double w, double t, double r, double b, double l) { return t + b + 60; }

    @Override protected double computePrefWidth(double h, double t, double r, double b, double l) { return l + r + 900; }

    @Override protected double computePrefHeight(double w, double t, double r, double b, double l) { return t + b + 500; }

    /** Left part of the top band (topology) at width {@code w}; the matrix takes the rest. */
    private static double topologyWidth(double w) { return Math.floor(w * 0.55); }

    /** Node cards per row, card width and card height for {@code n} nodes of up to {@code cpus} CPUs in {@code w}. */
    private static double[] cards(int n, int cpus, double w) {
        int cols = Math.max(1, Math.min(n, (int) ((w - CARD_GAP) / (CARD_MIN_W + CARD_GAP))));
        double cardW = Math.min(CARD_MAX_W, (w - CARD_GAP - cols * CARD_GAP) / cols);
        int perRow = Math.max(1, (int) ((cardW - 20 + CHIP_GAP) / (CHIP_W + CHIP_GAP)));
        int chipRows = Math.min(CHIP_ROWS_MAX, (cpus + perRow - 1) / perRow);
        int[] typical = new int[n];
        java.util.Arrays.fill(typical, 10); // distances are two digits (10 local, 11–255 remote)
        double cardH = 28 + chipRows * (CHIP_H + CHIP_GAP) + 46 + 14 * distanceLines(typical, cardW - 20).size();
        return new double[]{cols, cardW, cardH, perRow, chipRows};
    }

    private static double heatCell(int n, double w) {
        return Math.max(CELL_MIN, Math.min(CELL_MAX, (w - HEAT_LABEL_W - LEGEND_W) / Math.max(1, n)));
    }

    /** Height of the topology and matrix band for model {@code m} at width {@code w}. */
    private static double topHeight(NumaModel m, double w) {
        int n = m.nodes().size(), cpus = 0;
        for (NumaModel.Node node : m.nodes()) cpus = Math.max(cpus, node.cpus().length);
        double[] k = cards(n, cpus, topologyWidth(w));
        int rows = (int) Math.ceil(n / k[0]);
        double topo = 30 + rows * (k[2] + CARD_GAP);
        int hn = m.access().length;
        double heat = 48 + hn * heatCell(hn, w - topologyWidth(w)) + (m.unplacedTotal() > 0 ? 60 : 20);
        return Math.max(190, Math.ceil(Math.max(topo, heat)));
    }

    private static double tableHeight(NumaModel m) {
        int rows = Math.max(TABLE_MIN_ROWS, Math.min(TABLE_MAX_ROWS, m.processes().size()));
        return TABLE_HEADER_H + rows * TABLE_ROW_H + 2;
    }

    /** Everything stacked: topology and matrix, the counters (a full row each), the pages table. */
    private double contentHeight(double w) {
        NumaModel m = getSkinnable().getModel();
        if (m == null || w <= 0) return 0;
        return topHeight(m, w) + 24 + m.series().size() * SERIES_H + tableHeight(m);
    }

    private void layoutBody(double w) {
        NumaModel m = getSkinnable().getModel();
        if (m == null || w <= 0) return;
        topH = topHeight(m, w);
        rowH = SERIES_H;
        seriesH = 24 + m.series().size() * rowH;
        seriesY = topH;
        double canvasH = topH + seriesH;
        canvas.setWidth(w);
        canvas.setHeight(canvasH);
        canvas.relocate(0, 0);
        table.resizeRelocate(0, canvasH, w, tableHeight(m));
        fitColumns(w);
        draw();
    }

    private TableColumn<NumaModel.ProcessPages, String> nameColumn;

    /** PID and page columns keep their widths; the process name takes what is left (room for a scroll bar). */
    private void fitColumns(double w) {
        if (nameColumn == null) return;
        double others = 0;
        for (TableColumn<NumaModel.ProcessPages, ?> c : table.getColumns()) {
            if (c != nameColumn) {
                if (c.getStyleClass().contains("numeric")) c.setPrefWidth(120);
                others += c.getPrefWidth();
            }
        }
        nameColumn.setPrefWidth(Math.max(160, w - others - 18));
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth(), h = canvas.getHeight();
        g.setFill(c.get("-ks-background"));
        g.fillRect(0, 0, w, h);
        NumaModel m = getSkinnable().getModel();
        if (m == null) { heatN = 0; return; }
        g.setTextBaseline(VPos.CENTER);
        double split = topologyWidth(w);
        drawTopology(g, m, 0, 0, split, topH);
        drawHeat(g, m, split, 0, w - split, topH);
        g.setStroke(c.get("-ks-separator"));
        g.strokeLine(split + 0.5, 0, split + 0.5, topH);
        g.strokeLine(0, topH - 0.5, w, topH - 0.5);
        drawSeries(g, m, seriesY, w);
        int[] cell = heatCellAt(mouseX, mouseY);
        if (cell != null) HoverCard.draw(g, c, FONT, heatLines(m, cell[0], cell[1]), mouseX, mouseY, w, h);
    }

    /** The heat-map cell {cpu node row, memory node column} under (x, y) in canvas coordinates, or null. */
    int[] heatCellAt(double x, double y) {
        if (heatN == 0 || heatCell <= 0 || x < heatX || y < heatY) return null;
        int j = (int) ((x - heatX) / heatCell), i = (int) ((y - heatY) / heatCell);
        if (i >= heatN || j >= heatN) return null;
        return new int[]{i, j};
    }

    /** Centre of a heat-map cell in canvas coordinates, for tests and screenshots. */
    public double[] heatCellCenter(int i, int j) {
        return new double[]{heatX + j * heatCell + heatCell / 2, heatY + i * heatCell + heatCell / 2};
    }

    /** Tooltip of a heat-map cell: the node pair, its count and its share of the row and of all accesses. */
    static List<String> heatLines(NumaModel m, int i, int j) {
        long v = m.access()[i][j], row = 0, all = 0;
        for (long x : m.access()[i]) row += x;
        for (long[] r : m.access()) for (long x : r) all += x;
        String kind = i == j ? "local" : "remote";
        if (i < m.distances().length && j < m.distances()[i].length) kind += ", distance " + m.distances()[i][j];
        return List.of(
                "CPU node " + i + " → memory node " + j + "  (" + kind + ")",
                "Accesses  " + grouped(v),
                String.format(Locale.ROOT, "Share     %s of CPU node %d's · %s of all", pct(v, row), i, pct(v, all)));
    }

    private static String pct(long v, long of) {
        return of == 0 ? "–" : String.format(Locale.ROOT, "%.1f%%", 100.0 * v / of);
    }

    private void title(GraphicsContext g, String s, double x, double y) {
        g.setFont(BOLD);
        g.setFill(c.get("-ks-text"));
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText(s, x, y);
        g.setFont(FONT);
    }

    private void drawTopology(GraphicsContext g, NumaModel m, double x0, double y0, double w, double h) {
        title(g, "Topology", x0 + 12, y0 + 14);
        int n = m.nodes().size(), most = 0;
        for (NumaModel.Node node : m.nodes()) most = Math.max(most, node.cpus().length);
        double[] k = cards(n, most, w);
        int cols = (int) k[0], perRow = (int) k[3], chipRows = (int) k[4];
        double cardW = k[1], cardH = k[2];
        for (int i = 0; i < n; i++) {
            NumaModel.Node node = m.nodes().get(i);
            double cx = x0 + CARD_GAP + (i % cols) * (cardW + CARD_GAP), cy = y0 + 30 + (i / cols) * (cardH + CARD_GAP);
            g.setFill(c.get("-ks-panel"));
            g.fillRoundRect(cx, cy, cardW, cardH, 6, 6);
            g.setStroke(c.get("-ks-separator"));
            g.strokeRoundRect(cx + 0.5, cy + 0.5, cardW - 1, cardH - 1, 6, 6);
            title(g, "Node " + node.id(), cx + 10, cy + 14);
            g.setFill(c.get("-ks-text-dim"));
            g.fillText(node.cpus().length + " CPUs", cx + 70, cy + 14);
            // CPU chips, up to CHIP_ROWS_MAX rows; the rest as a count in the last chip's place
            int shown = Math.min(node.cpus().length, perRow * chipRows);
            if (shown < node.cpus().length) shown--;
            for (int j = 0; j <= shown && j < node.cpus().length; j++) {
                double px = cx + 10 + (j % perRow) * (CHIP_W + CHIP_GAP), py = cy + 28 + (j / perRow) * (CHIP_H + CHIP_GAP);
                boolean more = j == shown;
                g.setFill(c.get(more ? "-ks-panel" : "-ks-cpu-chip"));
                g.fillRoundRect(px, py, CHIP_W, CHIP_H, 4, 4);
                g.setFill(c.get(more ? "-ks-text-dim" : "-ks-text"));
                g.setTextAlign(TextAlignment.CENTER);
                g.fillText(more ? "+" + (node.cpus().length - shown) : String.valueOf(node.cpus()[j]), px + CHIP_W / 2, py + CHIP_H / 2);
                g.setTextAlign(TextAlignment.LEFT);
            }
            // memory bar
            double by = cy + 28 + chipRows * (CHIP_H + CHIP_GAP) + 12, bw = cardW - 20;
            g.setFill(c.get("-ks-text-dim"));
            g.fillText(fit(String.format(Locale.ROOT, "Memory  %s / %s", bytes(node.memUsed()), bytes(node.memTotal())), bw), cx + 10, by);
            g.setFill(c.get("-ks-mem-free"));
            g.fillRect(cx + 10, by + 10, bw, 8);
            double frac = node.memTotal() == 0 ? 0 : Math.min(1, (double) node.memUsed() / node.memTotal());
            g.setFill(c.get("-ks-mem-used"));
            g.fillRect(cx + 10, by + 10, Math.round(bw * frac), 8);
            // distances to every node in node order, on as many lines as the card's width needs
            g.setFill(c.get("-ks-text-dim"));
            List<String> lines = distanceLines(m.distances()[i], bw);
            for (int l = 0; l < lines.size(); l++) g.fillText(lines.get(l), cx + 10, by + 32 + l * 14);
        }
    }

    /** "Distance N0 10 · N1 20", wrapped to lines of at most {@code px} at ~6.5 px per character. */
    static List<String> distanceLines(int[] d, double px) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder("Distance");
        for (int j = 0; j < d.length; j++) {
            String part = (j == 0 ? " " : " · ") + "N" + j + " " + d[j];
            if ((line.length() + part.length()) * 6.5 > px && line.length() > 8) {
                out.add(line.toString());
                line = new StringBuilder("        ").append(part.substring(j == 0 ? 1 : 3));
            } else {
                line.append(part);
            }
        }
        out.add(line.toString());
        return out;
    }

    private static String bytes(long b) {
        double gib = b / (double) (1L << 30);
        return gib >= 1 ? String.format(Locale.ROOT, "%.1f GiB", gib) : String.format(Locale.ROOT, "%.0f MiB", b / (double) (1L << 20));
    }

    private void drawHeat(GraphicsContext g, NumaModel m, double x0, double y0, double w, double h) {
        double ratio = m.localRatio();
        title(g, "Memory access  (CPU node → memory node)", x0 + 12, y0 + 14);
        int n = m.access().length;
        long max = 1;
        for (long[] row : m.access()) for (long v : row) max = Math.max(max, v);
        double labelW = HEAT_LABEL_W, top = y0 + 48;
        double cell = heatCell(n, w);
        heatX = x0 + labelW;
        heatY = top;
        heatCell = cell;
        heatN = n;
        g.setFill(c.get("-ks-text-dim"));
        g.setTextAlign(TextAlignment.CENTER);
        for (int j = 0; j < n; j++) g.fillText((cell >= 58 ? "mem N" : "N") + j, x0 + labelW + j * cell + cell / 2, top - 10);
        g.setTextAlign(TextAlignment.LEFT);
        for (int i = 0; i < n; i++) {
            g.setFill(c.get("-ks-text-dim"));
            g.fillText("cpu N" + i, x0 + 16, top + i * cell + cell / 2);
            for (int j = 0; j < n; j++) {
                long v = m.access()[i][j];
                double t = (double) v / max;
                Color col = c.get("-ks-heat-low").interpolate(c.get("-ks-heat-high"), t);
                double cx = x0 + labelW + j * cell, cy = top + i * cell;
                g.setFill(col);
                g.fillRect(cx, cy, cell - 2, cell - 2);
                if (i == j) {
                    g.setStroke(c.get("-ks-local"));
                    g.strokeRect(cx + 1.5, cy + 1.5, cell - 5, cell - 5);
                }
                g.setFill(t > 0.6 ? c.get("-ks-background") : c.get("-ks-text"));
                g.setTextAlign(TextAlignment.CENTER);
                g.setFont(BOLD);
                g.fillText(compact(v), cx + cell / 2 - 1, cy + cell / 2 - 7);
                g.setFont(FONT);
                long rowSum = 0;
                for (long x : m.access()[i]) rowSum += x;
                g.fillText(rowSum == 0 ? "" : String.format(Locale.ROOT, "%.0f%%", 100.0 * v / rowSum), cx + cell / 2 - 1, cy + cell / 2 + 9);
                g.setTextAlign(TextAlignment.LEFT);
            }
        }
        double lx = x0 + labelW + n * cell + 16;
        g.setFill(c.get("-ks-text-dim"));
        g.fillText("Local", lx, top + 10);
        g.setFont(BOLD);
        g.setFill(c.get("-ks-local"));
        g.fillText(Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f%%", ratio * 100), lx, top + 28);
        g.setFont(FONT);
        g.setFill(c.get("-ks-text-dim"));
        g.fillText("Remote", lx, top + 52);
        g.setFont(BOLD);
        g.setFill(c.get("-ks-remote"));
        g.fillText(Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f%%", (1 - ratio) * 100), lx, top + 70);
        g.setFont(FONT);
        if (m.unplacedTotal() > 0) { // migrated on first touch from a node the kernel does not report
            g.setFill(c.get("-ks-text-dim"));
            g.fillText("incl. " + compact(m.unplacedTotal()) + " from", lx, top + 90);
            g.fillText("unknown nodes", lx, top + 104);
        }
    }

    private static String compact(long v) {
        if (v >= 1_000_000) return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        if (v >= 1_000) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        return Long.toString(v);
    }

    private void drawSeries(GraphicsContext g, NumaModel m, double y0, double w) {
        TraceSelection sel = getSkinnable().getSelection();
        TimeRange vis = sel.getVisibleRange();
        double pw = Math.max(1, w - GUTTER);
        g.setFill(c.get("-ks-panel"));
        g.fillRect(0, y0, w, 24);
        title(g, "Counters", 12, y0 + 12);
        long step = TimeFormat.niceStep(vis.duration() / pw, 90);
        long first = Math.floorDiv(vis.start() - sel.getBounds().start(), step) * step + sel.getBounds().start();
        g.setFill(c.get("-ks-text-dim"));
        for (long t = first, n = 0; t <= vis.end() && t >= first && n < TimeFormat.MAX_TICKS; t += step, n++) {
            double x = GUTTER + (t - vis.start()) * pw / vis.duration();
            if (x < GUTTER) continue;
            g.fillText(TimeFormat.format(t - sel.getBounds().start(), step), x + 4, y0 + 12);
            g.setStroke(c.get("-ks-separator"));
            g.strokeLine(Math.floor(x) + 0.5, y0 + 16, Math.floor(x) + 0.5, y0 + 24);
        }
        double y = y0 + 24;
        for (int k = 0; k < m.series().size(); k++) {
            NumaModel.Series s = m.series().get(k);
            g.setFill(c.get((k & 1) == 0 ? "-ks-background" : "-ks-panel"));
            g.fillRect(0, y, w, rowH);
            double max = 0;
            for (int i = 0; i < s.ts().length; i++) if (s.ts()[i] < vis.end()) max = Math.max(max, s.value()[i]);
            boolean twoLines = rowH >= 24; // a short row carries its name only; the max then goes in the name
            g.setFill(c.get("-ks-text-dim"));
            String label = "N" + s.node() + " " + s.name() + (twoLines || max <= 0 ? "" : " · " + compact((long) max));
            g.fillText(fit(label, GUTTER - 12), 10, twoLines ? y + 8 : y + rowH / 2);
            Color col = c.get("-ks-series-" + (Hash.of(s.name()) % NumaView.SERIES_COLORS));
            if (max > 0) {
                g.setFill(col.deriveColor(0, 1, 1, 0.35));
                g.setStroke(col);
                double prevX = -1, prevY = 0;
                for (int i = 0; i < s.ts().length; i++) {
                    double x0 = GUTTER + (s.ts()[i] - vis.start()) * pw / vis.duration();
                    double x1 = i + 1 < s.ts().length ? GUTTER + (s.ts()[i + 1] - vis.start()) * pw / vis.duration() : w;
                    if (x1 < GUTTER || x0 > w) continue;
                    x0 = Math.max(GUTTER, x0);
                    x1 = Math.min(w, x1);
                    double hh = (rowH - 4) * s.value()[i] / max;
                    double yy = y + rowH - 1 - hh;
                    g.fillRect(x0, yy, Math.max(1, x1 - x0), hh);
                    if (prevX >= 0) g.strokeLine(x0, prevY, x0, yy);
                    g.strokeLine(x0, yy, x1, yy);
                    prevX = x1;
                    prevY = yy;
                }
                if (twoLines) {
                    g.setFill(c.get("-ks-text-dim"));
                    g.setTextAlign(TextAlignment.RIGHT);
                    g.fillText("max " + compact((long) max), GUTTER - 8, y + rowH - 7);
                    g.setTextAlign(TextAlignment.LEFT);
                }
            }
            g.setStroke(c.get("-ks-separator"));
            g.strokeLine(0, Math.floor(y + rowH) - 0.5, w, Math.floor(y + rowH) - 0.5);
            y += rowH;
        }
        TimeRange sr = sel.getSelectedRange();
        if (sr != null) {
            double x0 = Math.max(GUTTER, GUTTER + (sr.start() - vis.start()) * pw / vis.duration());
            double x1 = Math.min(w, GUTTER + (sr.end() - vis.start()) * pw / vis.duration());
            if (x1 > x0) {
                g.setFill(c.get("-ks-selection-fill"));
                g.fillRect(x0, y0 + 24, x1 - x0, y - y0 - 24);
            }
        }
        g.setStroke(c.get("-ks-separator"));
        g.strokeLine(GUTTER - 0.5, y0, GUTTER - 0.5, y);
    }

    private static String fit(String s, double px) {
        int n = (int) (px / 6.5);
        return s.length() <= n ? s : s.substring(0, Math.max(0, n - 1)) + "…";
    }
}
