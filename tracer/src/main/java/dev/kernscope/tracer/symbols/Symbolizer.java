package dev.kernscope.tracer.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns kernel and user addresses into {@link Symbol}s: {@code kallsyms} for the kernel, our own ELF reader
 * for binaries and shared libraries (with Debian's {@code /usr/lib/debug/.build-id} files when installed),
 * {@code perf-PID.map} files for JIT code. ELF symbol tables are loaded once per file (device, inode, size and
 * mtime as read at capture) and shared by every process that maps it. Every file is read as an
 * {@link UntrustedFile}, and whatever goes wrong with one process's files costs that process its names only.
 *
 * <p>Not thread-safe: confine an instance to the thread that drains the ring buffer (or ends the recording).
 */
public final class Symbolizer {
    private static final long PERF_MAP_RECHECK_NS = 1_000_000_000L;

    private final Path procRoot;
    private final Path perfMapDir;
    private final Path debugRoot;
    private KernelSymbols kernel;
    private long failures;
    private final Map<String, Module> modules = new HashMap<>();
    private final Map<Integer, JitMap> jitMaps = new HashMap<>();
    private Module vdso;

    /** Symbols of one file: the load segments that turn file offsets into ELF addresses, and the names. */
    private record Module(Segments segments, ElfSymbols symbols) {}

    /** The load segments of a file, kept after it is closed. */
    private record Segments(java.util.List<ElfFile.Segment> loads) {
        long offsetToVaddr(long fileOffset) {
            return ElfFile.offsetToVaddr(loads, fileOffset);
        }
    }

    private static Segments segments(ElfFile f) {
        return new Segments(f.loadSegments());
    }

    private static final class JitMap {
        /** The process's effective uid, who alone may have written its map; -1 while unknown. */
        int uid = -1;
        long checkedAt;
        long mtime = Long.MIN_VALUE;
        PerfMap map;
    }

    /** The live system: {@code /proc}, {@code /tmp}, {@code /usr/lib/debug}. */
    public Symbolizer() {
        this(Path.of("/proc"));
    }

    public Symbolizer(Path procRoot) {
        this(procRoot, Path.of("/tmp"), Path.of("/usr/lib/debug"));
    }

    /**
     * @param procRoot   where {@code kallsyms} and {@code PID/maps} are read
     * @param perfMapDir where {@code perf-PID.map} files are looked for (after the process's own {@code /tmp})
     * @param debugRoot  root of separate debug files ({@code .build-id/xx/rest.debug} below it)
     */
    public Symbolizer(Path procRoot, Path perfMapDir, Path debugRoot) {
        this.procRoot = procRoot;
        this.perfMapDir = perfMapDir;
        this.debugRoot = debugRoot;
    }

    public Path procRoot() {
        return procRoot;
    }

    /** Captures a process's executable mappings now (at first sight and after exec). */
    public ProcessMaps capture(int pid) throws IOException {
        return ProcessMaps.capture(procRoot, pid);
    }

    // --- kernel ---------------------------------------------------------------------------------------------

    /** The kernel's symbols, loaded on first use; empty when {@code kallsyms} is unreadable or restricted. */
    public KernelSymbols kernel() {
        if (kernel == null) {
            try {
                kernel = KernelSymbols.load(procRoot.resolve("kallsyms"));
            } catch (IOException | RuntimeException e) {
                kernel = KernelSymbols.empty();
            }
        }
        return kernel;
    }

    public Symbol resolveKernel(long ip) {
        return kernel().resolve(ip);
    }

    /** The running kernel's GNU build-id from {@code /sys/kernel/notes}, or null. */
    public static String kernelBuildId(Path notes) {
        try {
            byte[] b = Files.readAllBytes(notes);
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int p = 0;
            while (p + 12 <= b.length) {
                int namesz = buf.getInt(p), descsz = buf.getInt(p + 4), type = buf.getInt(p + 8);
                int desc = p + 12 + ((namesz + 3) & ~3);
                if (namesz < 0 || descsz < 0 || desc + descsz > b.length) return null;
                if (type == 3 && namesz == 4 && b[p + 12] == 'G' && b[p + 13] == 'N' && b[p + 14] == 'U') {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < descsz; i++) sb.append(String.format("%02x", b[desc + i] & 0xff));
                    return sb.toString();
                }
                p = desc + ((descsz + 3) & ~3);
            }
        } catch (IOException | RuntimeException e) {
            // no notes: the trace just lacks the kernel's build-id
        }
        return null;
    }

    // --- user -----------------------------------------------------------------------------------------------

    /**
     * Symbolizes a user address of process {@code pid} whose mappings are {@code maps} (null if never
     * captured). Never null: what no table names becomes {@code module+0xoffset}.
     */
    public Symbol resolveUser(ProcessMaps maps, int pid, long ip) {
        ProcessMaps.Mapping m = maps == null ? null : maps.find(ip);
        if (m != null && m.isFile()) {
            Module mod = module(m);
            long off = ip - m.start() + m.pgoff();
            long vaddr = mod.segments() == null ? -1 : mod.segments().offsetToVaddr(off);
            if (vaddr >= 0 && mod.symbols() != null) {
                int i = mod.symbols().indexOf(vaddr);
                if (i >= 0) return Symbol.named(mod.symbols().name(i), m.path(), FrameKinds.USER, mod.symbols().address(i));
            }
            long rel = vaddr >= 0 ? vaddr : off;
            return new Symbol(baseName(m.path()) + "+0x" + Long.toHexString(rel), m.path(), FrameKinds.USER, rel, false);
        }
        if (m != null && "[vdso]".equals(m.path())) {
            Module v = vdso();
            long off = ip - m.start();
            long vaddr = v.segments() == null ? -1 : v.segments().offsetToVaddr(off);
            int i = vaddr >= 0 && v.symbols() != null ? v.symbols().indexOf(vaddr) : -1;
            if (i >= 0) return Symbol.named(v.symbols().name(i), "[vdso]", FrameKinds.USER, v.symbols().address(i));
            return new Symbol("[vdso]+0x" + Long.toHexString(off), "[vdso]", FrameKinds.USER, off, false);
        }
        if (maps != null && maps.uid() >= 0 && pid > 0) jitMap(pid).uid = maps.uid();
        String jit = jitName(pid, ip);
        if (jit != null) return new Symbol(jit, "[jit]", FrameKinds.JIT, ip, true);
        if (m != null && m.path() != null) {
            long rel = ip - m.start();
            return new Symbol(m.path() + "+0x" + Long.toHexString(rel), m.path(), FrameKinds.USER, rel, false);
        }
        String where = m != null ? "[anon]" : "[unknown]";
        return new Symbol(where + "+0x" + Long.toHexString(ip), null, FrameKinds.UNKNOWN, ip, false);
    }

    /** The name a perf map of {@code pid} gives {@code ip}, re-reading the file when it changed; or null. */
    public String jitName(int pid, long ip) {
        if (pid <= 0) return null;
        JitMap j = jitMap(pid);
        long now = System.nanoTime();
        if (j.map == null || now - j.checkedAt > PERF_MAP_RECHECK_NS) {
            j.checkedAt = now;
            if (j.uid < 0) j.uid = ProcessMaps.effectiveUid(procRoot.resolve(Integer.toString(pid)));
            if (j.uid < 0) return null; // whose map it would be is unknown: none is trusted
            String file = "perf-" + pid + ".map";
            for (Path p : new Path[] {procRoot.resolve(Integer.toString(pid)).resolve("root/tmp").resolve(file),
                    perfMapDir.resolve(file)}) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    long stamp = a.lastModifiedTime().toMillis() ^ a.size();
                    if (stamp != j.mtime || j.map == null) {
                        j.map = PerfMap.load(p, j.uid);
                        j.mtime = stamp;
                    }
                    break;
                } catch (IOException | RuntimeException e) {
                    // try the next place; the process may not write a map at all
                } catch (Throwable t) {
                    failed(); // even out of memory: this process loses its JIT names, the recording goes on
                    break;
                }
            }
        }
        return j.map == null ? null : j.map.lookup(ip);
    }

    private JitMap jitMap(int pid) {
        return jitMaps.computeIfAbsent(pid, k -> new JitMap());
    }

    /** Files that could not be read for any reason other than absence (hostile, damaged, too large). */
    public long failures() {
        return failures;
    }

    void failed() {
        failures++;
    }

    /** Forgets a perf map so that the next lookup re-reads it (at the end of a recording). */
    public void refreshJit(int pid) {
        JitMap j = jitMaps.get(pid);
        if (j != null) j.checkedAt = System.nanoTime() - 2 * PERF_MAP_RECHECK_NS;
    }

    /**
     * The vdso's symbols. Every 64-bit process of this kernel maps the same image, so ours is read: from our
     * own memory (the range {@code /proc/self/maps} gives it) into a private temporary file the ELF reader opens.
     */
    private Module vdso() {
        if (vdso != null) return vdso;
        vdso = new Module(null, null);
        Path tmp = null;
        try {
            long[] range = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (!line.endsWith("[vdso]")) continue;
                String[] r = line.substring(0, line.indexOf(' ')).split("-");
                range = new long[] {Long.parseUnsignedLong(r[0], 16), Long.parseUnsignedLong(r[1], 16)};
            }
            if (range == null || range[1] - range[0] > (1 << 20) || range[1] <= range[0]) return vdso;
            byte[] image = new com.sun.jna.Pointer(range[0]).getByteArray(0, (int) (range[1] - range[0]));
            tmp = Files.createTempFile("kernscope-vdso", ".so"); // 0600, a fresh name
            Files.write(tmp, image);
            try (ElfFile f = ElfFile.open(tmp)) {
                vdso = new Module(segments(f), f.symbols());
            }
        } catch (IOException | RuntimeException e) {
            // no vdso names: its frames stay [vdso]+0xoffset
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // left in the temporary folder: harmless, the kernel's own image
                }
            }
        }
        return vdso;
    }

    private Module module(ProcessMaps.Mapping m) {
        // Never the build-id alone: it is whatever the file claims.
        String key = m.fileId() != null ? m.fileId() + "|" + m.buildId() : m.path() + "|" + fileStamp(m);
        Module mod = modules.get(key);
        if (mod == null) {
            mod = load(m);
            modules.put(key, mod);
        }
        return mod;
    }

    private static String fileStamp(ProcessMaps.Mapping m) {
        Path p = m.openPath() != null ? m.openPath() : Path.of(m.path());
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.size() + "|" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Reads a mapped file's symbols (and those of its separate debug file). Anything at all going wrong, out of
     * memory included, leaves the module without names: that process's frames become module+offset, and the
     * recording goes on.
     */
    private Module load(ProcessMaps.Mapping m) {
        try {
            return loadChecked(m);
        } catch (Throwable t) {
            failed();
            return new Module(null, null);
        }
    }

    private Module loadChecked(ProcessMaps.Mapping m) throws IOException {
        ElfFile bin = null;
        try {
            for (Path p : new Path[] {m.openPath(), m.deleted() ? null : Path.of(m.path())}) {
                if (p == null) continue;
                try {
                    ElfFile f = ElfFile.open(p);
                    // After the process exits its /proc view is gone; a file at the same path counts only if it
                    // is the same build.
                    if (m.buildId() == null || m.buildId().equals(f.buildId())) {
                        bin = f;
                        break;
                    }
                    f.close();
                } catch (IOException | RuntimeException e) {
                    // next candidate
                }
            }
            ElfFile dbg = null;
            if (m.buildId() != null && m.buildId().length() > 2) {
                Path p = debugRoot.resolve(".build-id").resolve(m.buildId().substring(0, 2))
                        .resolve(m.buildId().substring(2) + ".debug");
                try {
                    if (Files.exists(p)) dbg = ElfFile.open(p);
                } catch (IOException | RuntimeException e) {
                    dbg = null;
                }
            }
            if (dbg == null && bin != null) dbg = debugLinked(bin, m);
            try (ElfFile d = dbg) {
                if (bin == null && d == null) return new Module(null, null);
                ElfSymbols.Builder b = new ElfSymbols.Builder();
                try {
                    if (bin != null) bin.addSymbols(b);
                    if (d != null) d.addSymbols(b);
                } catch (IOException | RuntimeException e) {
                    // a damaged table: keep what was read
                }
                return new Module(segments(bin != null ? bin : d), b.build());
            }
        } finally {
            if (bin != null) bin.close();
        }
    }

    /**
     * The separate debug file {@code .gnu_debuglink} names, looked for where GDB looks (beside the binary, in
     * its {@code .debug} folder, under the debug root by the binary's folder) and accepted only with the CRC the
     * link records; or null.
     */
    private ElfFile debugLinked(ElfFile bin, ProcessMaps.Mapping m) {
        ElfFile.DebugLink link;
        try {
            link = bin.debugLink();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Path binDir = Path.of(m.path()).getParent();
        if (link == null || binDir == null) return null;
        String rel = binDir.toString().substring(1); // absolute: ProcessMaps keeps only paths starting with '/'
        java.util.List<Path> candidates = new java.util.ArrayList<>();
        // The process's own view of the file system first (a container's debug files), then ours.
        Path root = m.openPath() != null && m.openPath().startsWith(procRoot) && m.openPath().getNameCount() > procRoot.getNameCount() + 1
                ? procRoot.resolve(m.openPath().getName(procRoot.getNameCount()).toString()).resolve("root") : null;
        for (Path base : root == null ? new Path[] {Path.of("/")} : new Path[] {root, Path.of("/")}) {
            candidates.add(base.resolve(rel).resolve(link.name()));
            candidates.add(base.resolve(rel).resolve(".debug").resolve(link.name()));
        }
        candidates.add(debugRoot.resolve(rel).resolve(link.name()));
        for (Path p : candidates) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
            ElfFile d = null;
            try {
                d = ElfFile.open(p);
                if (d.crc32() == link.crc()) return d;
            } catch (IOException | RuntimeException e) {
                // damaged or not ELF: the next place
            }
            if (d != null) d.close();
        }
        return null;
    }

    static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }
}
