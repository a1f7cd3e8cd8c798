package dev.kernscope.tracer.symbols;

import java.util.Arrays;

/**
 * Function symbols of one ELF file sorted by address, one name per address. Where several names share an
 * address (aliases such as {@code getpid}/{@code __getpid}/{@code __GI___getpid}) the most readable wins:
 * fewest leading underscores, then global over weak over local, then the shortest.
 *
 * <p>Names stay bytes in the file's string tables until asked for: memory is bounded by the (capped) tables,
 * whatever the symbols claim, and a name is decoded only for addresses that were sampled, at most
 * {@link #NAME_MAX} bytes of it (a string table without its terminating NUL cannot make a huge string).
 *
 * <p>Immutable and thread-safe.
 */
public final class ElfSymbols {
    private static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    /** The longest name decoded; longer ones (only hostile or absurd template names) are cut. */
    static final int NAME_MAX = 16 * 1024;

    private final long[] addrs;
    private final long[] sizes;
    private final int[] nameOffs;
    private final byte[] tableOf;
    private final byte[][] tables;

    private ElfSymbols(long[] addrs, long[] sizes, int[] nameOffs, byte[] tableOf, byte[][] tables) {
        this.addrs = addrs;
        this.sizes = sizes;
        this.nameOffs = nameOffs;
        this.tableOf = tableOf;
        this.tables = tables;
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
        return ElfFile.cString(tables[tableOf[i]], nameOffs[i], NAME_MAX);
    }

    public long address(int i) {
        return addrs[i];
    }

    public long sizeOf(int i) {
        return sizes[i];
    }

    /** The first index named {@code name}, or -1; for tests and diagnostics. */
    public int find(String name) {
        for (int i = 0; i < addrs.length; i++) if (name(i).equals(name)) return i;
        return -1;
    }

    /** Collects symbols, then sorts and merges aliases. Not thread-safe. */
    static final class Builder {
        /** More string tables than a file and its debug file have: the rest are ignored. */
        private static final int TABLES_MAX = 64;
        private static final int ALIASES_COMPARED = 64;
        private long[] addrs = new long[256];
        private long[] sizes = new long[256];
        private int[] offs = new int[256];
        private byte[] tableOf = new byte[256];
        private byte[] binding = new byte[256];
        private byte[][] tables = new byte[0][];
        private int n;

        void add(long addr, long size, byte[] strings, int nameOff, int bind) {
            int t = tableIndex(strings);
            if (t < 0) return;
            if (n == addrs.length) {
                int cap = n * 2;
                addrs = Arrays.copyOf(addrs, cap);
                sizes = Arrays.copyOf(sizes, cap);
                offs = Arrays.copyOf(offs, cap);
                tableOf = Arrays.copyOf(tableOf, cap);
                binding = Arrays.copyOf(binding, cap);
            }
            addrs[n] = addr;
            sizes[n] = size;
            offs[n] = nameOff;
            tableOf[n] = (byte) t;
            binding[n] = (byte) bind;
            n++;
        }

        private int tableIndex(byte[] strings) {
            for (int i = tables.length - 1; i >= 0; i--) if (tables[i] == strings) return i;
            if (tables.length == TABLES_MAX) return -1;
            tables = Arrays.copyOf(tables, tables.length + 1);
            tables[tables.length - 1] = strings;
            return tables.length - 1;
        }

        ElfSymbols build() {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            sortByAddress(order, new int[n], 0, n);
            long[] a = new long[n], s = new long[n];
            int[] o = new int[n];
            byte[] t = new byte[n];
            int k = 0;
            for (int i = 0; i < n; ) {
                // One run of aliases: keep the best name and the largest known size.
                int best = order[i];
                long size = sizes[best];
                int j = i + 1;
                for (; j < n && addrs[order[j]] == addrs[best]; j++) {
                    int c = order[j];
                    size = Math.max(size, sizes[c]);
                    // Real aliases come in handfuls; a hostile table's thousands are not all compared.
                    if (j - i < ALIASES_COMPARED && better(c, best) < 0) best = c;
                }
                a[k] = addrs[best];
                s[k] = size;
                o[k] = offs[best];
                t[k] = tableOf[best];
                k++;
                i = j;
            }
            return new ElfSymbols(Arrays.copyOf(a, k), Arrays.copyOf(s, k), Arrays.copyOf(o, k), Arrays.copyOf(t, k),
                    tables);
        }

        /** Stable merge sort of indices by unsigned address: no boxing, n log n whatever the input. */
        private void sortByAddress(int[] x, int[] tmp, int from, int to) {
            if (to - from < 2) return;
            int mid = (from + to) >>> 1;
            sortByAddress(x, tmp, from, mid);
            sortByAddress(x, tmp, mid, to);
            int i = from, j = mid, k = from;
            while (i < mid && j < to) {
                tmp[k++] = Long.compareUnsigned(addrs[x[j]], addrs[x[i]]) < 0 ? x[j++] : x[i++];
            }
            while (i < mid) tmp[k++] = x[i++];
            while (j < to) tmp[k++] = x[j++];
            System.arraycopy(tmp, from, x, from, to - from);
        }

        /** Negative when symbol x has the better name for one address. */
        private int better(int x, int y) {
            byte[] bx = tables[tableOf[x]], by = tables[tableOf[y]];
            int c = Integer.compare(underscores(bx, offs[x]), underscores(by, offs[y]));
            if (c != 0) return c;
            c = Integer.compare(rank(binding[x]), rank(binding[y]));
            if (c != 0) return c;
            c = Integer.compare(length(bx, offs[x]), length(by, offs[y]));
            return c != 0 ? c : ElfFile.cString(bx, offs[x], NAME_MAX).compareTo(ElfFile.cString(by, offs[y], NAME_MAX));
        }

        private static int underscores(byte[] b, int off) {
            int i = off;
            while (i < b.length && i - off < NAME_MAX && b[i] == '_') i++;
            return i - off;
        }

        private static int length(byte[] b, int off) {
            int i = off;
            while (i < b.length && i - off < NAME_MAX && b[i] != 0) i++;
            return i - off;
        }

        private static int rank(int binding) {
            return binding == STB_GLOBAL ? 0 : binding == STB_WEAK ? 1 : binding == STB_LOCAL ? 2 : 3;
        }
    }
}
