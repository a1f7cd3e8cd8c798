package dev.kernscope.views.model;

/**
 * A half-open interval {@code [start, end)} of trace time in nanoseconds. Immutable and thread-safe.
 */
public record TimeRange(long start, long end) {
    public TimeRange {
        if (end < start) throw new IllegalArgumentException("end < start: " + start + " > " + end);
    }

    public long duration() { return end - start; }

    public boolean contains(long ts) { return ts >= start && ts < end; }

    /** This range moved and clamped inside {@code bounds} without changing its duration if possible. */
    public TimeRange clampTo(TimeRange bounds) {
        long d = Math.min(duration(), bounds.duration());
        long s = Math.max(bounds.start, Math.min(start, bounds.end - d));
        return new TimeRange(s, s + d);
    }
}
