package dev.kernscope.views.model;

/** What the weights of a call tree measure; the app builds the tree, the flame graph labels it. */
public enum FlameMode {
    /** Sampled on-CPU stacks; weight = each sample's period in ns (the CPU time it stands for). */
    ON_CPU("On-CPU", true),
    /** Stacks at switch-out; weight = blocked ns. */
    OFF_CPU("Off-CPU", true),
    /** On- and off-CPU together; weight = ns. */
    WALL_CLOCK("Wall-clock", true);

    private final String label;
    private final boolean nanos;

    FlameMode(String label, boolean nanos) { this.label = label; this.nanos = nanos; }

    public String label() { return label; }

    /** True when weights are nanoseconds (every mode the app offers), false when they are plain counts. */
    public boolean weightIsNanos() { return nanos; }
}
