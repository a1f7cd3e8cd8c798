package dev.kernscope.tracer.stacks;

/**
 * How to sample stacks. Immutable and thread-safe.
 *
 * @param freqHz     on-CPU samples per second per CPU (cpu-clock perf event in frequency mode)
 * @param minBlockNs off-CPU intervals shorter than this are not recorded
 */
public record StackOptions(int freqHz, long minBlockNs) {
    public static final int DEFAULT_FREQ_HZ = 99;
    public static final long DEFAULT_MIN_BLOCK_NS = 1_000_000;

    public StackOptions {
        if (freqHz < 1 || freqHz > 10_000) throw new IllegalArgumentException("--freq must be 1..10000 Hz");
        if (minBlockNs < 0) throw new IllegalArgumentException("--min-block-us must be >= 0");
    }

    public static StackOptions defaults() {
        return new StackOptions(DEFAULT_FREQ_HZ, DEFAULT_MIN_BLOCK_NS);
    }

    public StackOptions withFreq(int hz) {
        return new StackOptions(hz, minBlockNs);
    }

    public StackOptions withMinBlockUs(long us) {
        return new StackOptions(freqHz, us * 1000);
    }
}
