package dev.kernscope.tracer.stacks;

import dev.kernscope.tracer.symbols.Symbolizer;

/**
 * Classifies kernel frames by name, each address once: the tracing machinery at the top of stacks read from
 * inside a BPF program (the program itself, {@code bpf_trace_run*}, {@code __bpf_trace_*},
 * {@code __traceiter_*}) is the recorder's, not the traced code's, and is cut off; interrupt and softirq
 * entry frames tell that a wakeup came from interrupt context, where the current task is not the waker.
 *
 * <p>Not thread-safe: use it on the writer thread.
 */
final class KernelGlue {
    private static final byte UNKNOWN = 0, GLUE = 1, CODE = 2, INTERRUPT = 3;
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

    /** True if one of {@code ips[off .. off+n)} is an interrupt or softirq entry. */
    boolean fromInterrupt(long[] ips, int off, int n) {
        for (int i = 0; i < n; i++) if (classify(ips[off + i]) == INTERRUPT) return true;
        return false;
    }

    static boolean interruptName(String name) {
        return name.startsWith("asm_sysvec_") || name.startsWith("asm_common_interrupt") || name.equals("handle_softirqs")
                || name.equals("__do_softirq");
    }

    static boolean glueName(String name) {
        return name.startsWith("bpf_prog_") || name.startsWith("bpf_trace_run") || name.startsWith("__bpf_trace_")
                || name.startsWith("__traceiter_") || name.startsWith("__bpf_prog_enter") || name.startsWith("bpf_trampoline_");
    }

    private boolean isGlue(long ip) {
        return classify(ip) == GLUE;
    }

    private byte classify(long ip) {
        int m = keys.length - 1;
        int i = (int) (ip ^ (ip >>> 29)) * 0x9E3779B1 & m;
        while (vals[i] != UNKNOWN) {
            if (keys[i] == ip) return vals[i];
            i = (i + 1) & m;
        }
        String name = symbolizer.resolveKernel(ip).name();
        byte c = glueName(name) ? GLUE : interruptName(name) ? INTERRUPT : CODE;
        if (size * 2 >= keys.length) grow();
        put(ip, c);
        return c;
    }

    private void put(long ip, byte c) {
        int m = keys.length - 1;
        int i = (int) (ip ^ (ip >>> 29)) * 0x9E3779B1 & m;
        while (vals[i] != UNKNOWN && keys[i] != ip) i = (i + 1) & m;
        if (vals[i] == UNKNOWN) size++;
        keys[i] = ip;
        vals[i] = c;
    }

    private void grow() {
        long[] k = keys;
        byte[] v = vals;
        keys = new long[k.length * 2];
        vals = new byte[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) if (v[i] != UNKNOWN) put(k[i], v[i]);
    }
}
