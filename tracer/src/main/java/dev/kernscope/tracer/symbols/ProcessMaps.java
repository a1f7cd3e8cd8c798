package dev.kernscope.tracer.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The executable mappings of one process as {@code /proc/PID/maps} showed them at one moment, each file
 * identified by its GNU build-id read at capture time, so that they symbolize correctly after the process
 * has exited or the file on disk has been replaced.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProcessMaps {
    /**
     * One executable mapping.
     *
     * @param path     the mapped file as the process sees it, or a pseudo-name such as {@code [vdso]}; null
     *                 for anonymous memory (JIT code)
     * @param openPath where the file could be read at capture time (through {@code /proc/PID/root} or
     *                 {@code map_files}), or null
     * @param buildId  GNU build-id in hex, or null
     */
    public record Mapping(long start, long end, long pgoff, String path, Path openPath, String buildId,
                          boolean deleted) {
        /** True for a mapping of a real file (not anonymous, not {@code [vdso]} and the like). */
        public boolean isFile() {
            return path != null && path.startsWith("/");
        }
    }

    private final int pid;
    private final List<Mapping> mappings;
    private final long[] starts;

    private ProcessMaps(int pid, List<Mapping> mappings) {
        this.pid = pid;
        this.mappings = List.copyOf(mappings);
        this.starts = new long[mappings.size()];
        for (int i = 0; i < starts.length; i++) starts[i] = mappings.get(i).start();
    }

    /** Captures the executable mappings of {@code pid} from {@code /proc}. */
    public static ProcessMaps capture(int pid) throws IOException {
        return capture(Path.of("/proc"), pid);
    }

    /**
     * Captures the executable mappings of {@code pid} under {@code procRoot}, reading each mapped file's
     * build-id. A file that cannot be read keeps a null build-id and symbolizes as {@code module+0xoffset}.
     */
    public static ProcessMaps capture(Path procRoot, int pid) throws IOException {
        Path dir = procRoot.resolve(Integer.toString(pid));
        List<String> lines = Files.readAllLines(dir.resolve("maps"), StandardCharsets.UTF_8);
        List<Mapping> out = new ArrayList<>();
        for (String line : lines) {
            Mapping m = parse(dir, line);
            if (m != null) out.add(m);
        }
        out.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        return new ProcessMaps(pid, out);
    }

    /** Builds maps from known mappings; for tests and for re-symbolizing from a trace's mapping rows. */
    public static ProcessMaps of(int pid, List<Mapping> mappings) {
        List<Mapping> sorted = new ArrayList<>(mappings);
        sorted.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        return new ProcessMaps(pid, sorted);
    }

    private static Mapping parse(Path dir, String line) {
        // start-end perms offset dev inode [path]; the path may contain spaces.
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5 || f[1].length() < 3 || f[1].charAt(2) != 'x') return null;
        int dash = f[0].indexOf('-');
        if (dash < 0) return null;
        long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
        long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
        long pgoff = Long.parseUnsignedLong(f[2], 16);
        String path = f.length == 6 && !f[5].isBlank() ? f[5] : null;
        boolean deleted = false;
        if (path != null && path.endsWith(" (deleted)")) {
            path = path.substring(0, path.length() - " (deleted)".length());
            deleted = true;
        }
        Path open = null;
        String buildId = null;
        if (path != null && path.startsWith("/")) {
            List<Path> candidates = new ArrayList<>();
            if (!deleted) candidates.add(dir.resolve("root").resolve(path.substring(1)));
            candidates.add(dir.resolve("map_files").resolve(f[0]));
            if (!deleted) candidates.add(Path.of(path));
            for (Path c : candidates) {
                try {
                    buildId = ElfFile.open(c).buildId();
                    open = c;
                    break;
                } catch (IOException | RuntimeException e) {
                    // next candidate: the process may live in another mount namespace, or be gone
                }
            }
        }
        return new Mapping(start, end, pgoff, path, open, buildId, deleted);
    }

    public int pid() {
        return pid;
    }

    /** Executable mappings by start address. */
    public List<Mapping> mappings() {
        return mappings;
    }

    /** The mapping that contains {@code ip}, or null. */
    public Mapping find(long ip) {
        int found = AddressIndex.floor(starts, ip);
        if (found < 0) return null;
        Mapping m = mappings.get(found);
        return Long.compareUnsigned(ip, m.end()) < 0 ? m : null;
    }
}
