package dev.kernscope.app.desktop;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * With {@code -Dkernscope.timing=true}, prints when the user would see each step (tab shown, lanes drawn, first
 * panel shown), in ms since the JVM process started, for BENCHMARKS.md. Thread-safe (stateless).
 */
final class Timing {
    private static final boolean ON = Boolean.getBoolean("kernscope.timing");
    private static final Instant LAUNCH = ProcessHandle.current().info().startInstant().orElse(Instant.now());

    private Timing() {}

    static void mark(String what, Path file) {
        if (!ON) return;
        long rssKb = rssKb();
        System.err.printf("kernscope-timing %s %s: %d ms since launch, RSS %d MiB (at %d)%n", file.getFileName(), what,
                Duration.between(LAUNCH, Instant.now()).toMillis(), rssKb / 1024, System.currentTimeMillis());
    }

    /** VmRSS of this process in KiB, or -1. */
    static long rssKb() {
        try {
            for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // no /proc: no number
        }
        return -1;
    }
}
