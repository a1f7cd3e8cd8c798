package dev.kernscope.views.draw;

/** Stable integer hashes for colour picking (same id → same colour in every run). Stateless. */
public final class Hash {
    private Hash() {}

    public static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x & 0x7fffffff;
    }

    public static int of(String s) { return mix(s.hashCode()); }
}
