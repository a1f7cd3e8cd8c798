package dev.kernscope.tracer.numa;

import java.nio.file.Path;

/**
 * The file system root under which /sys and /proc are read, so that tests can point every collector at a
 * fixture tree. Immutable and thread-safe.
 */
public record SysRoot(Path root) {
    /** The running machine. */
    public static final SysRoot HOST = new SysRoot(Path.of("/"));

    /** {@code rel} (written without a leading slash, e.g. {@code "proc/vmstat"}) under the root. */
    public Path path(String rel) {
        return root.resolve(rel);
    }

    public Path nodeDir() {
        return path("sys/devices/system/node");
    }

    public Path proc(String rel) {
        return path("proc").resolve(rel);
    }

    public boolean isHost() {
        return root.toAbsolutePath().normalize().equals(Path.of("/"));
    }
}
