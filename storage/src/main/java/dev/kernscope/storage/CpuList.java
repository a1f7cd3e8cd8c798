package dev.kernscope.storage;

import java.util.Arrays;

/**
 * Parses and formats the kernel's CPU list syntax ({@code "0-3,8,10-11"}), as sysfs writes it, traces store it
 * and {@code --cpus} takes it. Stateless.
 */
public final class CpuList {
    /** CPU numbers must be below this: Linux's NR_CPUS tops out at 8192; the margin costs nothing. */
    public static final int LIMIT = 65536;

    private CpuList() {}

    /**
     * The CPUs of {@code list} in ascending order; an empty or blank list (or null) gives an empty array, empty
     * parts are skipped. A part that is not a number or a range {@code lo-hi} with {@code 0 <= lo <= hi} throws
     * IllegalArgumentException naming it, as does a CPU at or above {@link #LIMIT}.
     */
    public static int[] parse(String list) {
        String s = list == null ? "" : list.strip();
        if (s.isEmpty()) return new int[0];
        int[] out = new int[16];
        int n = 0;
        for (String part : s.split(",")) {
            if (part.isBlank()) continue;
            int dash = part.indexOf('-');
            int lo, hi;
            if (dash < 0) {
                lo = hi = Integer.parseInt(part.strip());
            } else {
                lo = Integer.parseInt(part.substring(0, dash).strip());
                hi = Integer.parseInt(part.substring(dash + 1).strip());
            }
            if (lo < 0 || hi < lo) throw new IllegalArgumentException("bad CPU range '" + part.strip() + "'");
            if (hi >= LIMIT) throw new IllegalArgumentException("CPU " + hi + " is beyond the largest CPU number (" + (LIMIT - 1) + ")");
            if (n + (hi - lo) >= LIMIT) throw new IllegalArgumentException("more than " + LIMIT + " CPUs listed");
            for (int c = lo; c <= hi; c++) {
                if (n == out.length) out = Arrays.copyOf(out, n * 2);
                out[n++] = c;
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /** The compact form of ascending {@code cpus}, as sysfs writes it. */
    public static String format(int[] cpus) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cpus.length; ) {
            int j = i;
            while (j + 1 < cpus.length && cpus[j + 1] == cpus[j] + 1) j++;
            if (sb.length() > 0) sb.append(',');
            sb.append(cpus[i]);
            if (j > i) sb.append('-').append(cpus[j]);
            i = j + 1;
        }
        return sb.toString();
    }
}
