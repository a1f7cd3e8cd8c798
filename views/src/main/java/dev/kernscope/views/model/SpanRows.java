package dev.kernscope.views.model;

import java.util.List;

/**
 * Rows of labelled time spans over one range, for the state and critical-path tracks: each span has a kind (how
 * it is coloured), an optional name drawn inside it and a detail line shown on hover. Immutable once built.
 */
public record SpanRows(long from, long to, List<Row> rows) {
    public static final byte RUNNING = 0, RUNNABLE = 1, SLEEPING = 2, UNINTERRUPTIBLE = 3, OTHER = 4;

    /**
     * One row: spans in time order, not overlapping, as parallel arrays of equal length; and point marks (events at
     * a time, drawn as ticks over the spans, described on hover), possibly none.
     */
    public record Row(String label, long[] start, long[] end, byte[] kind, String[] name, String[] detail,
                      long[] markTs, String[] markText) {
        public Row(String label, long[] start, long[] end, byte[] kind, String[] name, String[] detail) {
            this(label, start, end, kind, name, detail, new long[0], new String[0]);
        }

        public int size() {
            return start.length;
        }

        /** The same row with these marks. */
        public Row withMarks(long[] ts, String[] text) {
            return new Row(label, start, end, kind, name, detail, ts, text);
        }
    }

    /** Builds a row span by span. Not thread-safe. */
    public static final class RowBuilder {
        private final String label;
        private long[] start = new long[64], end = new long[64];
        private byte[] kind = new byte[64];
        private String[] name = new String[64], detail = new String[64];
        private int n;

        public RowBuilder(String label) {
            this.label = label;
        }

        public RowBuilder add(long s, long e, byte k, String spanName, String spanDetail) {
            if (n == start.length) {
                int c = n * 2;
                start = java.util.Arrays.copyOf(start, c);
                end = java.util.Arrays.copyOf(end, c);
                kind = java.util.Arrays.copyOf(kind, c);
                name = java.util.Arrays.copyOf(name, c);
                detail = java.util.Arrays.copyOf(detail, c);
            }
            start[n] = s;
            end[n] = e;
            kind[n] = k;
            name[n] = spanName;
            detail[n++] = spanDetail;
            return this;
        }

        public Row build() {
            return new Row(label, java.util.Arrays.copyOf(start, n), java.util.Arrays.copyOf(end, n),
                    java.util.Arrays.copyOf(kind, n), java.util.Arrays.copyOf(name, n), java.util.Arrays.copyOf(detail, n));
        }
    }
}
