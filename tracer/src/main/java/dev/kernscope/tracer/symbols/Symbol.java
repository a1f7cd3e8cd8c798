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
 */
public record Symbol(String name, String module, int kind, long relPc, boolean resolved) {}
