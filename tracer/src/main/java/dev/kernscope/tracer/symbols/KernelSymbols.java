package dev.kernscope.tracer.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kernel's text symbols from {@code /proc/kallsyms}, sorted for binary search. kallsyms has no sizes, so
 * a symbol is taken to end where the next one starts. Addresses read as zero when {@code kptr_restrict}
 * hides them from the reader; {@link #usable()} is then false.
 *
 * <p>Immutable and thread-safe.
 */
public final class KernelSymbols {
    private final long[] addrs;
    private final String[] names;
    private final String[] modules;
    private final long textStart;
    private final long textEnd;

    private KernelSymbols(long[] addrs, String[] names, String[] modules, long textStart, long textEnd) {
        this.addrs = addrs;
        this.names = names;
        this.modules = modules;
        this.textStart = textStart;
        this.textEnd = textEnd;
    }

    /** Reads a kallsyms file; keeps text symbols (types t, T, w, W) with a non-zero address. */
    public static KernelSymbols load(Path kallsyms) throws IOException {
        List<long[]> order = new ArrayList<>();
        List<String> nameList = new ArrayList<>();
        List<String> moduleList = new ArrayList<>();
        long stext = 0, etext = 0;
        try (BufferedReader in = Files.newBufferedReader(kallsyms, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = in.readLine()) != null) {
                int sp1 = line.indexOf(' ');
                if (sp1 <= 0 || sp1 + 3 > line.length()) continue;
                char type = line.charAt(sp1 + 1);
                if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
                long addr = Long.parseUnsignedLong(line, 0, sp1, 16);
                if (addr == 0) continue;
                int nameStart = sp1 + 3;
                int tab = line.indexOf('\t', nameStart);
                String name = tab < 0 ? line.substring(nameStart) : line.substring(nameStart, tab);
                String module = tab < 0 ? "[kernel]" : line.substring(tab + 1).trim();
                if (name.equals("_stext")) stext = addr;
                if (name.equals("_etext")) etext = addr;
                order.add(new long[] {addr, nameList.size()});
                nameList.add(name);
                moduleList.add(module);
            }
        }
        // Unsigned order: kernel addresses have the top bit set. Stable, so the first alias at an address wins.
        order.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
        int n = order.size();
        long[] addrs = new long[n];
        String[] names = new String[n];
        String[] modules = new String[n];
        for (int i = 0; i < n; i++) {
            long[] e = order.get(i);
            addrs[i] = e[0];
            names[i] = nameList.get((int) e[1]);
            modules[i] = moduleList.get((int) e[1]);
        }
        return new KernelSymbols(addrs, names, modules, stext, etext);
    }

    /** No symbols: every address symbolizes as {@code [kernel]+0x...}. */
    public static KernelSymbols empty() {
        return new KernelSymbols(new long[0], new String[0], new String[0], 0, 0);
    }

    /** False when no address was readable (not root, or {@code kptr_restrict} hides them). */
    public boolean usable() {
        return addrs.length > 0;
    }

    public int size() {
        return addrs.length;
    }

    /** Address of {@code _stext}, the base of kernel {@code relPc} values; 0 if unknown. */
    public long textStart() {
        return textStart;
    }

    /** Address of {@code _etext}; 0 if unknown. */
    public long textEnd() {
        return textEnd;
    }

    /** Index of the symbol containing {@code ip}, or -1. The last symbol has no known end and never matches. */
    int indexOf(long ip) {
        int found = AddressIndex.floor(addrs, ip);
        if (found < 0 || found == addrs.length - 1) return -1;
        // A symbol of the core kernel never extends into a module's range, nor past _etext.
        if (modules[found].equals("[kernel]") && textEnd != 0 && Long.compareUnsigned(ip, textEnd) >= 0) return -1;
        return found;
    }

    /** Symbolizes a kernel address; never null. */
    public Symbol resolve(long ip) {
        int i = indexOf(ip);
        if (i < 0) {
            long rel = textStart != 0 ? ip - textStart : ip;
            return new Symbol("[kernel]+0x" + Long.toHexString(rel), "[kernel]", FrameKinds.KERNEL, rel, false);
        }
        String module = modules[i];
        long rel = module.equals("[kernel]") && textStart != 0 ? addrs[i] - textStart : addrs[i];
        return Symbol.named(names[i], module, FrameKinds.KERNEL, rel); // Rust in the kernel is mangled too
    }

    /** Address of the first symbol called {@code name}, or 0; for tests and diagnostics. */
    public long addressOf(String name) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return addrs[i];
        return 0;
    }

    long[] addresses() {
        return Arrays.copyOf(addrs, addrs.length);
    }
}
