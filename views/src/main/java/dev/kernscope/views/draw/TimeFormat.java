package dev.kernscope.views.draw;

/** Time-axis arithmetic: 1/2/5 × 10^k ns tick steps and labels with ns/µs/ms/s units. Stateless. */
public final class TimeFormat {
    /**
     * Most ticks a tick loop draws: a screen holds a few hundred; the cap (with stopping when {@code t += step}
     * overflows) ends the loop even when a damaged trace's times sit near the ends of the long range.
     */
    public static final int MAX_TICKS = 10_000;

    private TimeFormat() {}

    /** Smallest 1/2/5 × 10^k ns step at least {@code minPx} pixels wide at {@code nsPerPx}. */
    public static long niceStep(double nsPerPx, double minPx) {
        double raw = Math.max(1, nsPerPx * minPx);
        long p = 1;
        while (true) {
            if (p >= raw) return p;
            if (2 * p >= raw) return 2 * p;
            if (5 * p >= raw) return 5 * p;
            if (p > Long.MAX_VALUE / 100) return p * 10;
            p *= 10;
        }
    }

    /** Formats {@code ns} with the unit suited to {@code step} and just enough decimals to tell ticks apart. */
    public static String format(long ns, long step) {
        String unit;
        double div;
        if (step < 100) { unit = "ns"; div = 1; }
        else if (step < 100_000) { unit = "µs"; div = 1e3; }
        else if (step < 100_000_000) { unit = "ms"; div = 1e6; }
        else { unit = "s"; div = 1e9; }
        int decimals = 0;
        double s = step / div;
        while (s < 1 - 1e-9 && decimals < 6) { s *= 10; decimals++; }
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f %s", ns / div, unit);
    }

    /** A duration with 3 significant-ish digits: {@code 1.25 ms}, {@code 830 ns}. */
    public static String duration(long ns) {
        double a = Math.abs(ns);
        if (a < 1_000) return ns + " ns";
        if (a < 1_000_000) return String.format(java.util.Locale.ROOT, "%.3g µs", ns / 1e3);
        if (a < 1_000_000_000) return String.format(java.util.Locale.ROOT, "%.3g ms", ns / 1e6);
        return String.format(java.util.Locale.ROOT, "%.4g s", ns / 1e9);
    }

    /**
     * Absolute timestamp as seconds with as many decimals as ticks {@code step} ns apart need (at least one):
     * {@code 12557.9984 s} for 100 µs ticks.
     */
    public static String absolute(long ns, long step) {
        int decimals = 9;
        for (long p = 1; p * 10 <= step && decimals > 1; p *= 10) decimals--;
        long q = Math.floorDiv(ns, pow10(9 - decimals));
        return String.format(java.util.Locale.ROOT, "%d.%0" + decimals + "d s",
                Math.floorDiv(q, pow10(decimals)), Math.floorMod(q, pow10(decimals)));
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }

    /** Absolute timestamp as seconds with ns precision: {@code 12.345678901 s}. */
    public static String absolute(long ns) {
        return String.format(java.util.Locale.ROOT, "%d.%09d s", Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }
}
