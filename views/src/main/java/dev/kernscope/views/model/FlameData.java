package dev.kernscope.views.model;

/**
 * The two trees a flame graph can show, built from the same stacks: top-down now, bottom-up on first use.
 * Safe to share between threads.
 */
public final class FlameData {
    private final CallTreeBuilder builder;
    private final CallTree topDown;
    private volatile CallTree bottomUp;

    private FlameData(CallTreeBuilder builder, CallTree topDown, CallTree bottomUp) {
        this.builder = builder;
        this.topDown = topDown;
        this.bottomUp = bottomUp;
    }

    /** Builds the top-down tree now; the bottom-up one is derived from {@code builder} when first asked for. */
    public static FlameData of(CallTreeBuilder builder) { return new FlameData(builder, builder.build(), null); }

    /** Wraps ready trees ({@code bottomUp} may be null if the app never offers inversion). */
    public static FlameData of(CallTree topDown, CallTree bottomUp) { return new FlameData(null, topDown, bottomUp); }

    public CallTree topDown() { return topDown; }

    /** The bottom-up tree; null when it was neither given nor can be built. */
    public CallTree bottomUp() {
        CallTree b = bottomUp;
        if (b == null && builder != null) {
            synchronized (this) {
                if (bottomUp == null) bottomUp = builder.buildInverted();
                b = bottomUp;
            }
        }
        return b;
    }
}
