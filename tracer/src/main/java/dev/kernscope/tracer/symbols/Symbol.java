package dev.kernscope.tracer.symbols;

/**
 * One symbolized address: what becomes a {@code frame} row.
 *
 * @param name     function name, or {@code module+0xoffset} when {@code resolved} is false
 * @param module   binary path, {@code [kernel]}, {@code [module_name]} for kernel modules, {@code [jit]},
 *                 or null when the address is in no known mapping
 * @param kind     a {@code TraceWriter.FRAME_*} constant
 * @param relPc    for resolved frames the function's start, for unresolved ones the address itself, both
 *                 module-relative: ELF virtual address for user binaries (what {@code nm} and
 *                 {@code addr2line} use), offset from {@code _stext} for the kernel, absolute for JIT code
 * @param resolved whether a symbol table named the address
 * @param mangled  the symbol table's name when {@code name} is its demangled form, else null
 */
public record Symbol(String name, String module, int kind, long relPc, boolean resolved, String mangled) {
    public Symbol(String name, String module, int kind, long relPc, boolean resolved) {
        this(name, module, kind, relPc, resolved, null);
    }

    /** A resolved symbol named by a symbol table, demangled when it is a C++ or Rust name. */
    static Symbol named(String linkerName, String module, int kind, long relPc) {
        String readable = Demangler.get().demangle(linkerName);
        return new Symbol(readable, module, kind, relPc, true, readable.equals(linkerName) ? null : linkerName);
    }
}
