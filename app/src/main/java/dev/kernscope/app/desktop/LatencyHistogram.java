package dev.kernscope.app.desktop;

import dev.kernscope.app.cli.Format;
import java.util.Arrays;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;

/**
 * Wakeup-to-run latency of the selected range as a histogram with power-of-two buckets (1 µs … 1 s), with
 * p50 / p99 / max in the title. The counts are computed off the FX thread ({@link Counts#of}); the chart only
 * shows them. Confined to the FX thread.
 */
final class LatencyHistogram extends BarChart<String, Number> {
    /** Bucket upper bounds in ns: below 1 µs, then doubling up to 1 s, then everything above. */
    static final long[] BOUNDS;

    static {
        long[] b = new long[22];
        b[0] = 1_000;
        for (int i = 1; i < b.length; i++) b[i] = b[i - 1] * 2;
        BOUNDS = b;
    }

    /** Histogram counts and percentiles of a set of latencies. Immutable. */
    record Counts(long[] buckets, long n, long p50, long p99, long max) {
        static Counts of(long[] latencies, int n) {
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            long[] b = new long[BOUNDS.length + 1];
            for (long v : sorted) {
                int i = 0;
                while (i < BOUNDS.length && v >= BOUNDS[i]) i++;
                b[i]++;
            }
            return new Counts(b, n, pct(sorted, 50), pct(sorted, 99), n == 0 ? 0 : sorted[n - 1]);
        }

        private static long pct(long[] s, int p) {
            if (s.length == 0) return 0;
            int rank = (int) Math.ceil(p / 100.0 * s.length);
            return s[Math.max(0, Math.min(s.length, rank) - 1)];
        }
    }

    LatencyHistogram() {
        super(new CategoryAxis(), new NumberAxis());
        getStyleClass().add("latency-histogram");
        setAnimated(false);
        setLegendVisible(false);
        setBarGap(1);
        setCategoryGap(2);
        getXAxis().setLabel("wakeup → run latency");
        getYAxis().setLabel("wakeups");
        setTitle("Wakeup latency");
    }

    void show(Counts c) {
        XYChart.Series<String, Number> s = new XYChart.Series<>();
        int last = 0;
        for (int i = 0; i < c.buckets().length; i++) if (c.buckets()[i] > 0) last = i;
        for (int i = 0; i <= Math.max(last, 10) && i < c.buckets().length; i++) {
            s.getData().add(new XYChart.Data<>(label(i), c.buckets()[i]));
        }
        getData().setAll(java.util.List.of(s));
        setTitle(c.n() == 0 ? "Wakeup latency: no wakeups in the selected range"
                : String.format("Wakeup latency of %s wakeups    p50 %s    p99 %s    max %s", Format.count(c.n()),
                        Format.duration(c.p50()), Format.duration(c.p99()), Format.duration(c.max())));
    }

    static String label(int i) {
        if (i == 0) return "<" + Format.duration(BOUNDS[0]).replace(".0", "");
        if (i == BOUNDS.length) return "≥" + Format.duration(BOUNDS[i - 1]);
        return Format.duration(BOUNDS[i - 1]).replace(".0 ", " ");
    }
}
