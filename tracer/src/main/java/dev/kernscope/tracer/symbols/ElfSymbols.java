package dev.kernscope.tracer.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Function symbols of one ELF file sorted by address, one name per address. Where several names share an
 * address (aliases such as {@code getpid}/{@code __getpid}/{@code __GI___getpid}) the most readable wins:
 * fewest leading underscores, then global over weak over local, then the shortest.
 *
 * <p>Immutable and thread-safe.
 */
public final class ElfSymbols {
    private static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;

    private final long[] addrs;
    private final long[] sizes;
    private final String[] names;

    private ElfSymbols(long[] addrs, long[] sizes, String[] names) {
        this.addrs = addrs;
        this.sizes = sizes;
        this.names = names;
    }

    public int size() {
        return addrs.length;
    }

    /** Index of the symbol that contains ELF virtual address {@code vaddr}, or -1. */
    public int indexOf(long vaddr) {
        int found = AddressIndex.floor(addrs, vaddr);
        // A few steps back find the enclosing function when a smaller symbol sits inside it.
        for (int i = found, steps = 0; i >= 0 && steps < 4; i--, steps++) {
            long end = sizes[i] > 0 ? addrs[i] + sizes[i] : (i + 1 < addrs.length ? addrs[i + 1] : addrs[i] + 1);
            if (Long.compareUnsigned(vaddr, end) < 0) return i;
            if (sizes[i] == 0) break;
        }
        return -1;
    }

    public String name(int i) {
        return names[i];
    }

    public long address(int i) {
        return addrs[i];
    }

    public long sizeOf(int i) {
        return sizes[i];
    }

    /** The first index named {@code name}, or -1; for tests and diagnostics. */
    public int find(String name) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
        return -1;
    }

    /** Collects symbols, then sorts and merges aliases. Not thread-safe. */
    static final class Builder {
        private final List<Object[]> entries = new ArrayList<>();

        void add(long addr, long size, String name, int binding) {
            if (name.isEmpty()) return;
            entries.add(new Object[] {addr, size, name, binding});
        }

        ElfSymbols build() {
            entries.sort((x, y) -> {
                int c = Long.compareUnsigned((Long) x[0], (Long) y[0]);
                return c != 0 ? c : better(x, y);
            });
            long[] a = new long[entries.size()];
            long[] s = new long[entries.size()];
            String[] n = new String[entries.size()];
            int k = 0;
            for (Object[] e : entries) {
                long addr = (Long) e[0];
                if (k > 0 && a[k - 1] == addr) {
                    s[k - 1] = Math.max(s[k - 1], (Long) e[1]); // alias: keep the better name, the known size
                    continue;
                }
                a[k] = addr;
                s[k] = (Long) e[1];
                n[k] = (String) e[2];
                k++;
            }
            return new ElfSymbols(Arrays.copyOf(a, k), Arrays.copyOf(s, k), Arrays.copyOf(n, k));
        }

        /** Negative when x is the better name for one address. */
        private static int better(Object[] x, Object[] y) {
            String nx = (String) x[2], ny = (String) y[2];
            int c = Integer.compare(underscores(nx), underscores(ny));
            if (c != 0) return c;
            c = Integer.compare(rank((Integer) x[3]), rank((Integer) y[3]));
            if (c != 0) return c;
            c = Integer.compare(nx.length(), ny.length());
            return c != 0 ? c : nx.compareTo(ny);
        }

        private static int underscores(String s) {
            int i = 0;
            while (i < s.length() && s.charAt(i) == '_') i++;
            return i;
        }

        private static int rank(int binding) {
            return binding == STB_GLOBAL ? 0 : binding == STB_WEAK ? 1 : binding == STB_LOCAL ? 2 : 3;
        }
    }
}
