package dev.kernscope.tracer.symbols;

import java.io.IOException;
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
     * @param fileId   the identity of the file read at capture time (device, inode, size, mtime), or null: the
     *                 build-id is whatever the file says, so symbols are cached by this, not by the build-id alone
     *                 (a hostile file claiming libc's build-id must not give every process its names)
     */
    public record Mapping(long start, long end, long pgoff, String path, Path openPath, String buildId,
                          boolean deleted, String fileId) {
        /** True for a mapping of a real file (not anonymous, not {@code [vdso]} and the like). */
        public boolean isFile() {
            return path != null && path.startsWith("/");
        }
    }

    /** {@code /proc/PID/maps} of a JVM is some hundred KiB; a process mapping 65 530 long names is refused. */
    private static final long MAPS_MAX = 32L << 20;
    private static final int LINE_MAX = 8192;
    /** Executable mappings kept; more are a hostile process's, and cost it its names. */
    private static final int EXEC_MAPPINGS_MAX = 16384;

    private final int pid;
    private final int uid;
    private final List<Mapping> mappings;
    private final long[] starts;

    private ProcessMaps(int pid, int uid, List<Mapping> mappings) {
        this.pid = pid;
        this.uid = uid;
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
        int uid = effectiveUid(dir);
        List<String> lines = new ArrayList<>();
        try (UntrustedFile f = UntrustedFile.open(dir.resolve("maps"), MAPS_MAX)) {
            f.forEachLine(LINE_MAX, MAPS_MAX, line -> {
                if (isExecutable(line)) lines.add(line);
            });
        }
        if (lines.size() > EXEC_MAPPINGS_MAX) throw new IOException(dir + ": " + lines.size() + " executable mappings, not read");
        List<Mapping> out = new ArrayList<>();
        for (String line : lines) {
            Mapping m = parse(dir, line);
            if (m != null) out.add(m);
        }
        out.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        return new ProcessMaps(pid, uid, out);
    }

    /** The effective uid of a live process from its {@code status} ("Uid: real effective saved fs"), or -1. */
    static int effectiveUid(Path procPidDir) {
        int[] uid = {-1};
        try (UntrustedFile f = UntrustedFile.open(procPidDir.resolve("status"), 1 << 20)) {
            f.forEachLine(LINE_MAX, 1 << 20, line -> {
                if (line.startsWith("Uid:")) {
                    String[] v = line.substring(4).trim().split("\\s+");
                    if (v.length >= 2) uid[0] = Integer.parseInt(v[1]);
                }
            });
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return uid[0];
    }

    private static boolean isExecutable(String line) {
        // start-end perms ...: the perms field's third letter
        int sp = line.indexOf(' ');
        return sp > 0 && sp + 3 < line.length() && line.charAt(sp + 3) == 'x';
    }

    /** Builds maps from known mappings; for tests and for re-symbolizing from a trace's mapping rows. */
    public static ProcessMaps of(int pid, List<Mapping> mappings) {
        return of(pid, -1, mappings);
    }

    /** {@link #of(int, List)} for a process running as {@code uid} (-1: unknown). */
    public static ProcessMaps of(int pid, int uid, List<Mapping> mappings) {
        List<Mapping> sorted = new ArrayList<>(mappings);
        sorted.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        return new ProcessMaps(pid, uid, sorted);
    }

    private static Mapping parse(Path dir, String line) {
        // start-end perms offset dev inode [path]; the path may contain spaces.
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5 || f[1].length() < 3 || f[1].charAt(2) != 'x') return null;
        int dash = f[0].indexOf('-');
        if (dash < 0) return null;
        long start;
        long end;
        long pgoff;
        try {
            start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            pgoff = Long.parseUnsignedLong(f[2], 16);
        } catch (NumberFormatException e) {
            return null;
        }
        String path = f.length == 6 && !f[5].isBlank() ? f[5] : null;
        boolean deleted = false;
        if (path != null && path.endsWith(" (deleted)")) {
            path = path.substring(0, path.length() - " (deleted)".length());
            deleted = true;
        }
        Path open = null;
        String buildId = null;
        String fileId = null;
        if (path != null && path.startsWith("/")) {
            // map_files is the very file mapped (root only); the process's root resolves as it would for it.
            List<Path> candidates = new ArrayList<>();
            candidates.add(dir.resolve("map_files").resolve(f[0]));
            if (!deleted) candidates.add(dir.resolve("root").resolve(path.substring(1)));
            if (!deleted) candidates.add(Path.of(path));
            for (Path c : candidates) {
                try (ElfFile elf = ElfFile.open(c)) {
                    buildId = elf.buildId();
                    fileId = elf.fileId();
                    open = c;
                    break;
                } catch (IOException | RuntimeException e) {
                    // next candidate: the process may live in another mount namespace, or be gone
                }
            }
        }
        return new Mapping(start, end, pgoff, path, open, buildId, deleted, fileId);
    }

    public int pid() {
        return pid;
    }

    /** The process's effective uid when captured (who may write its perf map), or -1 when unknown. */
    public int uid() {
        return uid;
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
