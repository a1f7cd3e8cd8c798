package dev.kernscope.tracer.stacks;

import dev.kernscope.tracer.symbols.Symbolizer;

/**
 * Recognizes the tracing machinery at the top of kernel stacks read from inside a BPF program (the program
 * itself, {@code bpf_trace_run*}, {@code __bpf_trace_*}, {@code __traceiter_*}): those frames are the
 * recorder's, not the traced code's, and are cut off. Each address is classified once.
 *
 * <p>Not thread-safe: use it on the writer thread.
 */
final class KernelGlue {
    private static final byte UNKNOWN = 0, GLUE = 1, CODE = 2;
    private final Symbolizer symbolizer;
    private long[] keys = new long[1024];
    private byte[] vals = new byte[1024];
    private int size;

    KernelGlue(Symbolizer symbolizer) {
        this.symbolizer = symbolizer;
    }

    /** Number of leading (innermost) entries of {@code ips[off .. off+n)} that are tracing glue. */
    int leading(long[] ips, int off, int n) {
        int i = 0;
        while (i < n && isGlue(ips[off + i])) i++;
        return i;
    }

    static boolean glueName(String name) {
        return name.startsWith("bpf_prog_") || name.startsWith("bpf_trace_run") || name.startsWith("__bpf_trace_")
                || name.startsWith("__traceiter_") || name.startsWith("__bpf_prog_enter") || name.startsWith("bpf_trampoline_");
    }

    private boolean isGlue(long ip) {
        int m = keys.length - 1;
        int i = (int) (ip ^ (ip >>> 29)) * 0x9E3779B1 & m;
        while (vals[i] != UNKNOWN) {
            if (keys[i] == ip) return vals[i] == GLUE;
            i = (i + 1) & m;
        }
        boolean glue = glueName(symbolizer.resolveKernel(ip).name());
        if (size * 2 >= keys.length) {
            grow();
            return put(ip, glue);
        }
        keys[i] = ip;
        vals[i] = glue ? GLUE : CODE;
        size++;
        return glue;
    }

    private boolean put(long ip, boolean glue) {
        int m = keys.length - 1;
        int i = (int) (ip ^ (ip >>> 29)) * 0x9E3779B1 & m;
        while (vals[i] != UNKNOWN && keys[i] != ip) i = (i + 1) & m;
        if (vals[i] == UNKNOWN) size++;
        keys[i] = ip;
        vals[i] = glue ? GLUE : CODE;
        return glue;
    }

    private void grow() {
        long[] k = keys;
        byte[] v = vals;
        keys = new long[k.length * 2];
        vals = new byte[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) if (v[i] != UNKNOWN) put(k[i], v[i] == GLUE);
    }
}
