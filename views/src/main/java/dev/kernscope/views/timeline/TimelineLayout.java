package dev.kernscope.views.timeline;

import dev.kernscope.views.model.CpuInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Vertical geometry of the timeline: overview, ruler, the optional pinned-thread lane, then per NUMA node a
 * header row and per CPU a slice lane with its run-queue track beneath. Pure arithmetic; immutable.
 */
public final class TimelineLayout {
    public static final double GUTTER = 120;
    public static final double OVERVIEW_H = 32;
    public static final double RULER_H = 26;
    public static final double NODE_H = 20;
    public static final double LANE_H = 18;
    public static final double RUNQ_H = 9;
    public static final double GAP = 3;

    /** One row: a node header (cpu = -1), a CPU lane or the pinned lane (cpu = -2). */
    public record Row(int cpu, int node, double y, double laneH, double runqY, double runqH) {
        public boolean isHeader() { return cpu == -1; }
        public boolean isPinned() { return cpu == -2; }
        public double bottom() { return runqY + runqH; }
    }

    private final List<Row> rows = new ArrayList<>();
    private final double height;

    public TimelineLayout(List<CpuInfo> cpus, boolean pinned) {
        double y = OVERVIEW_H + RULER_H;
        if (pinned) {
            rows.add(new Row(-2, -1, y + GAP, LANE_H, y + GAP + LANE_H, 0));
            y += GAP + LANE_H + GAP + 1;
        }
        int node = Integer.MIN_VALUE;
        for (CpuInfo c : cpus) {
            if (c.node() != node) {
                node = c.node();
                rows.add(new Row(-1, node, y, NODE_H, y + NODE_H, 0));
                y += NODE_H;
            }
            rows.add(new Row(c.cpu(), c.node(), y + GAP, LANE_H, y + GAP + LANE_H + 1, RUNQ_H));
            y += GAP + LANE_H + 1 + RUNQ_H + 1;
        }
        height = y;
    }

    public List<Row> rows() { return rows; }

    /** Total height of all rows. */
    public double height() { return height; }

    /** The CPU lane row for {@code cpu}, or null. */
    public Row cpuRow(int cpu) {
        for (Row r : rows) if (r.cpu() == cpu) return r;
        return null;
    }

    /** The row whose lane or run-queue track contains {@code y}, or null. */
    public Row rowAt(double y) {
        for (Row r : rows) if (!r.isHeader() && y >= r.y() && y < r.bottom()) return r;
        return null;
    }
}
