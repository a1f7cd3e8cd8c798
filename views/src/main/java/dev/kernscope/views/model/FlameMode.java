package dev.kernscope.views.model;

/** What the weights of a call tree measure; the app builds the tree, the flame graph labels it. */
public enum FlameMode {
    /** Sampled on-CPU stacks; weight = samples. */
    ON_CPU("On-CPU", false),
    /** Stacks at switch-out; weight = blocked ns. */
    OFF_CPU("Off-CPU", true),
    /** On- and off-CPU together; weight = ns. */
    WALL_CLOCK("Wall-clock", true);

    private final String label;
    private final boolean nanos;

    FlameMode(String label, boolean nanos) { this.label = label; this.nanos = nanos; }

    public String label() { return label; }

    /** True when weights are nanoseconds, false when they are sample counts. */
    public boolean weightIsNanos() { return nanos; }
}
