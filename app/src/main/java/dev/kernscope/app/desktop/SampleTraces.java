package dev.kernscope.app.desktop;

import dev.kernscope.storage.SyntheticTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the sample trace the app opens when started with nothing else: the recorded one shipped under
 * {@code packaging/samples/} (or beside an installed app), else a SYNTHETIC one generated once into the user's
 * cache folder. Stateless.
 */
public final class SampleTraces {
    /** A sample and whether it is synthetic (the window then says so). */
    public record Sample(Path path, boolean synthetic) {}

    private SampleTraces() {}

    /** The recorded sample if one is installed, else the synthetic one (generated on first use). */
    public static Sample find() throws IOException {
        return findAll().get(0);
    }

    /**
     * The recorded samples if installed — this machine's recording first, then the two-node NUMA recording
     * beside it when present — else the synthetic one.
     */
    public static java.util.List<Sample> findAll() throws IOException {
        for (Path p : candidates()) {
            if (!Files.isRegularFile(p)) continue;
            java.util.List<Sample> found = new java.util.ArrayList<>();
            found.add(new Sample(p, false));
            Path numa = p.resolveSibling("numa-2node.ktrace");
            if (Files.isRegularFile(numa)) found.add(new Sample(numa, false));
            return found;
        }
        return java.util.List.of(new Sample(synthetic(), true));
    }

    static Path[] candidates() {
        String home = System.getProperty("kernscope.home");
        Path h = home == null ? Path.of(".") : Path.of(home);
        return new Path[] {h.resolve("packaging/samples/sample.ktrace"), h.resolve("samples/sample.ktrace"),
            h.resolve("lib/samples/sample.ktrace"), Path.of("/usr/share/kernscope/samples/sample.ktrace")};
    }

    /** The synthetic sample in the cache folder, written on first use (about a second). */
    public static synchronized Path synthetic() throws IOException {
        Path dir = cacheDir();
        // keyed by the schema text: a sample cached by an older build is not read with a newer layout
        Path out = dir.resolve("synthetic-sample-" + schemaFingerprint() + ".ktrace");
        if (Files.isRegularFile(out) && Files.size(out) > 0) return out;
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "synthetic-sample", ".ktrace.tmp");
        SyntheticTrace.generate(tmp, SyntheticTrace.Params.defaults(8, 6));
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return out;
    }

    static String schemaFingerprint() throws IOException {
        try (var in = dev.kernscope.storage.TraceReader.class.getResourceAsStream("schema.sql")) {
            byte[] b = in == null ? new byte[0] : in.readAllBytes();
            return Integer.toHexString(java.util.Arrays.hashCode(b));
        }
    }

    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        if (!Files.isWritable(base.getParent() == null ? base : base.getParent()) && !Files.isWritable(base)) {
            base = Path.of(System.getProperty("java.io.tmpdir"));
        }
        return base.resolve("kernscope");
    }
}
