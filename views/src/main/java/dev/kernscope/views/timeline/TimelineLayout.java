package dev.kernscope.views.timeline;

import dev.kernscope.views.model.CpuInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Vertical geometry of the timeline: overview, ruler and the pinned-thread lanes stay fixed at the top; below
 * them, per NUMA node a header row and per CPU a slice lane with its run-queue track beneath scroll by
 * {@code scrollY}. A collapsed node keeps its header; its CPUs get zero-height rows under it ({@link Row#hidden()})
 * that are never visible. Row coordinates are on screen (already scrolled). Pure arithmetic; immutable.
 */
public final class TimelineLayout {
    public static final double GUTTER = 120;
    public static final double OVERVIEW_H = 32;
    public static final double RULER_H = 26;
    public static final double NODE_H = 20;
    public static final double LANE_H = 18;
    public static final double RUNQ_H = 9;
    public static final double GAP = 3;
    /** Vertical distance from one CPU lane to the next. */
    public static final double CPU_PITCH = GAP + LANE_H + 1 + RUNQ_H + 1;

    /** One row: a node header (cpu = -1), a CPU lane, or a pinned lane (cpu = -2, node = pin index). */
    public record Row(int cpu, int node, double y, double laneH, double runqY, double runqH) {
        public boolean isHeader() { return cpu == -1; }
        public boolean isPinned() { return cpu == -2; }
        public double bottom() { return runqY + runqH; }
        /** A CPU lane of a collapsed node: no height, never drawn or hit. */
        public boolean hidden() { return cpu >= 0 && laneH == 0; }

        Row movedTo(double ny) { return new Row(cpu, node, ny, laneH, ny + (runqY - y), runqH); }
    }

    private final List<Row> rows = new ArrayList<>();
    /** Row per index of the {@code cpus} list given to the constructor. */
    private final Row[] cpuRows;
    /** Index into {@link #cpuRows} by CPU number, -1 where absent. */
    private final int[] byCpu;
    private final double scrollTop;
    private final double contentHeight;
    private final double scrollY;
    private final double height;

    public TimelineLayout(List<CpuInfo> cpus, boolean pinned) { this(cpus, pinned ? 1 : 0, 0); }

    /**
     * @param pinnedLanes number of pinned-thread lanes above the CPUs (they do not scroll)
     * @param scrollY     how far the CPU lanes are scrolled up, in px (not clamped here)
     */
    public TimelineLayout(List<CpuInfo> cpus, int pinnedLanes, double scrollY) {
        this(cpus, pinnedLanes, scrollY, java.util.Set.of());
    }

    /** @param collapsed NUMA nodes shown as their header only */
    public TimelineLayout(List<CpuInfo> cpus, int pinnedLanes, double scrollY, java.util.Set<Integer> collapsed) {
        double y = OVERVIEW_H + RULER_H;
        for (int p = 0; p < pinnedLanes; p++) {
            rows.add(new Row(-2, p, y + GAP, LANE_H, y + GAP + LANE_H, 0));
            y += GAP + LANE_H;
        }
        if (pinnedLanes > 0) y += GAP + 1;
        scrollTop = y;
        this.scrollY = scrollY;
        y -= scrollY;
        cpuRows = new Row[cpus.size()];
        int maxCpu = -1;
        for (CpuInfo c : cpus) maxCpu = Math.max(maxCpu, c.cpu());
        byCpu = new int[maxCpu + 1];
        Arrays.fill(byCpu, -1);
        int node = Integer.MIN_VALUE;
        for (int i = 0; i < cpus.size(); i++) {
            CpuInfo c = cpus.get(i);
            if (c.node() != node) {
                node = c.node();
                rows.add(new Row(-1, node, y, NODE_H, y + NODE_H, 0));
                y += NODE_H;
            }
            boolean folded = collapsed.contains(c.node());
            Row r = folded ? new Row(c.cpu(), c.node(), y, 0, y, 0)
                    : new Row(c.cpu(), c.node(), y + GAP, LANE_H, y + GAP + LANE_H + 1, RUNQ_H);
            rows.add(r);
            cpuRows[i] = r;
            if (c.cpu() >= 0) byCpu[c.cpu()] = i;
            if (!folded) y += CPU_PITCH;
        }
        height = y;
        contentHeight = y + scrollY - scrollTop;
    }

    public List<Row> rows() { return rows; }

    /** Bottom of the last row on screen (content height plus the fixed area, minus the scroll offset). */
    public double height() { return height; }

    /** Screen y where the scrolling area (node headers and CPU lanes) begins, below the pinned lanes. */
    public double scrollTop() { return scrollTop; }

    /** Unscrolled height of the node headers and CPU lanes. */
    public double contentHeight() { return contentHeight; }

    public double scrollY() { return scrollY; }

    /** Largest useful scroll offset for a view {@code viewH} px tall. */
    public double maxScroll(double viewH) { return Math.max(0, scrollTop + contentHeight - viewH); }

    /** The CPU lane row for {@code cpu}, or null. */
    public Row cpuRow(int cpu) {
        if (cpu < 0 || cpu >= byCpu.length || byCpu[cpu] < 0) return null;
        return cpuRows[byCpu[cpu]];
    }

    /** The row of the {@code index}-th CPU of the list this layout was made from. */
    public Row cpuRowAt(int index) { return cpuRows[index]; }

    /** True if any part of {@code r} shows in a view {@code viewH} px tall. */
    public boolean isVisible(Row r, double viewH) {
        return r.isPinned() || (!r.hidden() && r.bottom() > scrollTop && r.y() < viewH);
    }

    /** Indexes {@code [from, to)} of the CPUs whose lanes show in a view {@code viewH} px tall. */
    public int[] visibleCpus(double viewH) {
        int from = cpuRows.length, to = 0;
        for (int i = 0; i < cpuRows.length; i++) {
            if (!isVisible(cpuRows[i], viewH)) continue;
            from = Math.min(from, i);
            to = i + 1;
        }
        return from >= to ? new int[]{0, 0} : new int[]{from, to};
    }

    /**
     * The header of the node whose lanes are at the top of the scrolling area, placed at {@link #scrollTop()}
     * (pushed up by the next node's header as it arrives), or null when the real header is on screen.
     */
    public Row stickyHeader() {
        Row current = null, next = null;
        for (Row r : rows) {
            if (!r.isHeader()) continue;
            if (r.y() < scrollTop) current = r;
            else { next = r; break; }
        }
        if (current == null) return null;
        double y = next == null ? scrollTop : Math.min(scrollTop, next.y() - NODE_H);
        return current.movedTo(y);
    }

    /** The node header (or the sticky header standing in for it) at {@code y}, or null. */
    public Row headerAt(double y) {
        if (y < scrollTop) return null;
        Row sticky = stickyHeader();
        if (sticky != null && y >= sticky.y() && y < sticky.y() + NODE_H) return sticky;
        for (Row r : rows) if (r.isHeader() && y >= r.y() && y < r.y() + NODE_H) return r;
        return null;
    }

    /** The row whose lane or run-queue track contains {@code y}, or null. */
    public Row rowAt(double y) {
        Row sticky = y >= scrollTop ? stickyHeader() : null;
        if (sticky != null && y < sticky.y() + NODE_H) return null;
        for (Row r : rows) {
            if (r.isHeader() || (!r.isPinned() && y < scrollTop)) continue;
            if (y >= r.y() && y < r.bottom()) return r;
        }
        return null;
    }
}
