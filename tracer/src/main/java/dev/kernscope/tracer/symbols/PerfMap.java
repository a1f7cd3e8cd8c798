package dev.kernscope.tracer.symbols;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JIT symbols from a {@code /tmp/perf-PID.map} file: lines of {@code START SIZE name}, hex, with or without
 * {@code 0x} (Node's {@code --perf-basic-prof} writes without, the JDK's {@code Compiler.perfmap} with).
 * Code memory is reused as methods are recompiled: for overlapping entries, the later line wins.
 *
 * <p>Immutable and thread-safe.
 */
public final class PerfMap {
    private final long[] starts;
    private final long[] ends;
    private final int[] order;
    private final String[] names;

    private PerfMap(long[] starts, long[] ends, int[] order, String[] names) {
        this.starts = starts;
        this.ends = ends;
        this.order = order;
        this.names = names;
    }

    /** Largest perf map read: a long-running JVM's is a few MiB. */
    static final long FILE_MAX = 16L << 20;
    /** Entries kept: ~100 bytes of heap each, and the recorder's heap is small. */
    private static final int ENTRIES_MAX = 1 << 18;
    /** Longest line: JIT names with long signatures stay well below. */
    private static final int LINE_MAX = 8192;

    /**
     * Parses a perf map file owned by {@code ownerUid} (the process's own user, as perf requires: anyone can
     * create {@code /tmp/perf-PID.map} for someone else's pid); malformed lines are skipped. The file is read as an
     * {@link UntrustedFile}: no symlink, no FIFO, at most {@link #FILE_MAX} bytes.
     */
    public static PerfMap load(Path file, int ownerUid) throws IOException {
        List<Object[]> entries = new ArrayList<>();
        try (UntrustedFile f = UntrustedFile.open(file, FILE_MAX)) {
            if (f.uid() != ownerUid) {
                throw new IOException(file + ": owned by uid " + f.uid() + ", not by the process's uid " + ownerUid + ", not read");
            }
            int[] n = {0};
            f.forEachLine(LINE_MAX, FILE_MAX, line -> {
                int a = line.indexOf(' ');
                int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
                if (b < 0 || entries.size() >= ENTRIES_MAX) return;
                try {
                    long start = hex(line.substring(0, a));
                    long size = hex(line.substring(a + 1, b));
                    entries.add(new Object[] {start, start + size, n[0]++, line.substring(b + 1).trim()});
                } catch (NumberFormatException e) {
                    // not a map line
                }
            });
        }
        entries.sort((x, y) -> {
            int c = Long.compareUnsigned((Long) x[0], (Long) y[0]);
            return c != 0 ? c : Integer.compare((Integer) x[2], (Integer) y[2]);
        });
        int k = entries.size();
        long[] s = new long[k], e = new long[k];
        int[] o = new int[k];
        String[] nm = new String[k];
        for (int i = 0; i < k; i++) {
            Object[] x = entries.get(i);
            s[i] = (Long) x[0];
            e[i] = (Long) x[1];
            o[i] = (Integer) x[2];
            nm[i] = (String) x[3];
        }
        return new PerfMap(s, e, o, nm);
    }

    private static long hex(String s) {
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        return Long.parseUnsignedLong(s, 16);
    }

    public int size() {
        return starts.length;
    }

    /** The name of the JIT code that contains {@code ip}, or null. */
    public String lookup(long ip) {
        int found = AddressIndex.floor(starts, ip);
        int best = -1;
        // Entries that start earlier may still cover ip; look back a bounded distance for the latest one.
        for (int i = found, steps = 0; i >= 0 && steps < 64; i--, steps++) {
            if (Long.compareUnsigned(ip, ends[i]) < 0 && (best < 0 || order[i] > order[best])) best = i;
        }
        return best < 0 ? null : names[best];
    }
}
