package dev.kernscope.views.model;

/**
 * The two trees a flame graph can show, built from the same stacks: top-down now, bottom-up on first use.
 * Safe to share between threads.
 */
public final class FlameData {
    private final java.util.function.Supplier<CallTree> bottomUpSource;
    private final CallTree topDown;
    private volatile CallTree bottomUp;

    private FlameData(java.util.function.Supplier<CallTree> bottomUpSource, CallTree topDown, CallTree bottomUp) {
        this.bottomUpSource = bottomUpSource;
        this.topDown = topDown;
        this.bottomUp = bottomUp;
    }

    /** Builds the top-down tree now; the bottom-up one is derived from {@code builder} when first asked for. */
    public static FlameData of(CallTreeBuilder builder) { return new FlameData(builder::buildInverted, builder.build(), null); }

    /** Wraps ready trees ({@code bottomUp} may be null if the app never offers inversion). */
    public static FlameData of(CallTree topDown, CallTree bottomUp) { return new FlameData(null, topDown, bottomUp); }

    /**
     * Wraps a ready top-down tree and a way to build the bottom-up one, called once, off the FX thread, when
     * the graph is first inverted (it may return null when there is none).
     */
    public static FlameData of(CallTree topDown, java.util.function.Supplier<CallTree> bottomUp) {
        return new FlameData(bottomUp, topDown, null);
    }

    public CallTree topDown() { return topDown; }

    /** The bottom-up tree; null when it was neither given nor can be built. */
    public CallTree bottomUp() {
        CallTree b = bottomUp;
        if (b == null && bottomUpSource != null) {
            synchronized (this) {
                if (bottomUp == null) bottomUp = bottomUpSource.get();
                b = bottomUp;
            }
        }
        return b;
    }
}
