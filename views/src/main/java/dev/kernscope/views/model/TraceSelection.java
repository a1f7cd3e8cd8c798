package dev.kernscope.views.model;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The state every kernscope view follows: trace bounds, the visible range, an optional selected time range and
 * an optional thread / process filter. All views given the same instance stay linked. Confined to the FX thread.
 */
public final class TraceSelection {
    /** Value of {@link #selectedUtidProperty()} and {@link #selectedUpidProperty()} when nothing is selected. */
    public static final int NONE = -1;

    private final ObjectProperty<TimeRange> bounds = new SimpleObjectProperty<>(this, "bounds", new TimeRange(0, 1));
    private final ObjectProperty<TimeRange> visibleRange = new SimpleObjectProperty<>(this, "visibleRange", new TimeRange(0, 1));
    private final ObjectProperty<TimeRange> selectedRange = new SimpleObjectProperty<>(this, "selectedRange");
    private final IntegerProperty selectedUtid = new SimpleIntegerProperty(this, "selectedUtid", NONE);
    private final IntegerProperty selectedUpid = new SimpleIntegerProperty(this, "selectedUpid", NONE);

    /** Whole trace extent; the visible range is kept inside it. */
    public ObjectProperty<TimeRange> boundsProperty() { return bounds; }
    public TimeRange getBounds() { return bounds.get(); }

    /** Sets the trace extent and shows all of it. */
    public void reset(long traceStart, long traceEnd) {
        TimeRange b = new TimeRange(traceStart, Math.max(traceEnd, traceStart + 1));
        bounds.set(b);
        visibleRange.set(b);
        selectedRange.set(null);
    }

    /** The time window the views show. Start and end change together. */
    public ObjectProperty<TimeRange> visibleRangeProperty() { return visibleRange; }
    public TimeRange getVisibleRange() { return visibleRange.get(); }

    /** Sets the visible range, clamped into the bounds and never narrower than {@code minDur} ns. */
    public void setVisibleRange(long start, long end, long minDur) {
        long d = Math.max(minDur, end - start);
        long mid = start + (end - start) / 2;
        TimeRange r = new TimeRange(mid - d / 2, mid - d / 2 + d).clampTo(getBounds());
        visibleRange.set(r);
    }

    /** User-selected time range (e.g. by drag-select on the timeline), or null. Feeds the flame graph filter. */
    public ObjectProperty<TimeRange> selectedRangeProperty() { return selectedRange; }
    public TimeRange getSelectedRange() { return selectedRange.get(); }

    /** Selected thread ({@code utid}) or {@link #NONE}. */
    public IntegerProperty selectedUtidProperty() { return selectedUtid; }
    public int getSelectedUtid() { return selectedUtid.get(); }

    /** Selected process ({@code upid}) or {@link #NONE}. */
    public IntegerProperty selectedUpidProperty() { return selectedUpid; }
    public int getSelectedUpid() { return selectedUpid.get(); }
}
