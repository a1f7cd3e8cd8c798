package dev.kernscope.app.cli;

import java.util.Locale;

/** Human-readable durations and counts for the command line. Stateless. */
public final class Format {
    private Format() {}

    /** A duration in ns with a unit that keeps three or four significant digits: 12.3 µs, 4.567 s. */
    public static String duration(long ns) {
        double v = Math.abs(ns);
        String sign = ns < 0 ? "-" : "";
        if (v < 1_000) return sign + (long) v + " ns";
        if (v < 1_000_000) return sign + String.format(Locale.ROOT, "%.1f µs", v / 1e3);
        if (v < 1_000_000_000) return sign + String.format(Locale.ROOT, "%.2f ms", v / 1e6);
        return sign + String.format(Locale.ROOT, "%.3f s", v / 1e9);
    }

    /** A count with thousands separators. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * Parses a time given on the command line: plain ns, or a number with a unit (ns, us, ms, s), e.g. 1.5s.
     */
    public static long parseTime(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        double mult = 1;
        String num = t;
        if (t.endsWith("ns")) num = t.substring(0, t.length() - 2);
        else if (t.endsWith("us") || t.endsWith("µs")) { mult = 1e3; num = t.substring(0, t.length() - 2); }
        else if (t.endsWith("ms")) { mult = 1e6; num = t.substring(0, t.length() - 2); }
        else if (t.endsWith("s")) { mult = 1e9; num = t.substring(0, t.length() - 1); }
        try {
            return Math.round(Double.parseDouble(num.trim()) * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a time: '" + s + "' (use e.g. 1500000, 250us, 12ms, 1.5s)");
        }
    }
}
