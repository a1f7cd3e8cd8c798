package dev.kernscope.tracer.symbols;

import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns raw stacks (kernel and user instruction pointers as {@code bpf_get_stack} returns them, innermost
 * first) into {@code stack} ids, writing each distinct {@code frame} and each distinct (parent, frame) link
 * through the {@link TraceWriter} exactly once. A frame is a function (name, module, kind), not an address:
 * samples at different offsets of one function share the frame. Each address is symbolized once; after
 * that a sample costs two primitive hash lookups per frame and allocates nothing.
 *
 * <p>Also captures process mappings into the trace ({@code mapping} rows, upid 0 for the kernel) and, at
 * {@link #finish}, writes {@code symbols.frames_total} and {@code symbols.frames_resolved} (frame occurrences
 * over all interned stacks).
 *
 * <p>Not thread-safe: use it from the thread that writes the trace.
 */
public final class StackInterner {
    /**
     * Minimum time between two re-captures of one process's maps when an address is in no mapping. Short,
     * because a capture taken at exec often predates the dynamic loader mapping libc and friends: the first
     * samples of a new program then need a second look (a stale capture left whole stacks as [unknown]).
     */
    private static final long RECAPTURE_NS = 50_000_000L;
    /** Kernel frames are cached under this process key. */
    private static final long KERNEL_KEY = -1;
    /** Time all JVMs together may take to write their perf maps at the end of a recording. */
    private static final long JVM_ASK_BUDGET_NS = 20_000_000_000L;

    private final TraceWriter writer;
    private final Symbolizer symbolizer;
    /** Mappings captured earlier than this thread could, by (pid, not before ts); null: none. */
    private EarlyCaptures early;

    /** Where to look when a process is gone by the time its fork or exec is applied here. */
    public interface EarlyCaptures {
        /** A capture of {@code pid} taken at or after {@code notBefore} (CLOCK_MONOTONIC ns), or null. */
        ProcessMaps get(int pid, long notBefore);
    }
    private final LongPairMap frameOfIp = new LongPairMap(1 << 14);
    private final LongPairMap childOf = new LongPairMap(1 << 16);
    private final Map<FrameKey, Long> frameIds = new HashMap<>();
    private final BitSet resolved = new BitSet();
    /** Occurrences of each frame id in interned stacks, for the resolved/total counters. */
    private long[] uses = new long[1024];
    private Proc[] procs = new Proc[256];
    private long nextFrame = 1;
    private long nextStack = 1;
    private long framesTotal;
    /** Frames in anonymous memory, {frameId, pid, ip} triples: retried against perf maps at finish. */
    private long[] pendingJit = new long[0];
    private int pendingJitSize;

    private record FrameKey(String name, String module, int kind) {}

    private static final class Proc {
        final int pid;
        int generation;
        ProcessMaps maps;
        long capturedAt;

        Proc(int pid) {
            this.pid = pid;
        }
    }

    public StackInterner(TraceWriter writer, Symbolizer symbolizer) {
        this.writer = writer;
        this.symbolizer = symbolizer;
    }

    /** Sets the captures to fall back on for processes that exited before this thread looked. */
    public void earlyCaptures(EarlyCaptures e) {
        this.early = e;
    }

    /**
     * Captures the mappings of a process the first time it is seen (later calls do nothing), writing them
     * as {@code mapping} rows at {@code ts}. Call it when the recorder creates the upid.
     */
    public void processSeen(int upid, int pid, long ts) throws IOException {
        Proc p = proc(upid);
        if (p != null && p.pid == pid && p.maps != null) return;
        capture(upid, pid, ts);
    }

    /** Re-captures the mappings of a process after exec: its addresses mean other code now. */
    public void processExec(int upid, int pid, long ts) throws IOException {
        capture(upid, pid, ts);
    }

    private Proc capture(int upid, int pid, long ts) throws IOException {
        return capture(upid, pid, ts, false);
    }

    /** With {@code onlyChanges}, mappings already written for this process are not written again. */
    private Proc capture(int upid, int pid, long ts, boolean onlyChanges) throws IOException {
        if (upid <= 0) return null;
        if (upid >= procs.length) procs = Arrays.copyOf(procs, Math.max(upid + 1, procs.length * 2));
        Proc p = procs[upid];
        if (p == null || p.pid != pid) {
            Proc old = p;
            p = new Proc(pid);
            p.generation = old == null ? 0 : old.generation + 1;
            procs[upid] = p;
        } else {
            p.generation++;
        }
        p.capturedAt = System.nanoTime();
        ProcessMaps before = onlyChanges ? p.maps : null;
        try {
            p.maps = symbolizer.capture(pid);
        } catch (IOException e) {
            // exited before we looked: a capture taken while it ran, after this event, if there is one
            // (a re-capture for an address of the same program takes the latest one whenever it was taken)
            ProcessMaps e2 = early == null ? null : early.get(pid, onlyChanges ? Long.MIN_VALUE : ts);
            if (e2 == null || e2 == before) return p; // else its addresses stay module+0xoffset
            p.maps = e2;
        } catch (Throwable t) {
            // Whatever a hostile process did to its mappings (out of memory included) costs it its names only.
            symbolizer.failed();
            return p;
        }
        for (ProcessMaps.Mapping m : p.maps.mappings()) {
            // A re-capture writes only what changed, so that stray addresses cannot flood the mapping table.
            if (before != null && before.mappings().contains(m)) continue;
            writer.mapping(upid, ts, m.start(), m.end(), m.pgoff(), m.path(), m.buildId());
        }
        return p;
    }

    private Proc proc(int upid) {
        return upid > 0 && upid < procs.length ? procs[upid] : null;
    }

    /**
     * Interns one sampled stack and returns its leaf stack id (0 when both arrays are empty). The arrays
     * are innermost-first; zero entries are skipped. The chain is stored root first: the user frames from
     * the outermost caller down, then the kernel frames below the user frame that entered the kernel.
     *
     * @param upid the process lifetime (0 for kernel threads or unknown)
     * @param pid  its pid, to capture its maps on first sight and to find its perf map
     */
    public long intern(int upid, int pid, long[] kernelIps, int nk, long[] userIps, int nu) throws IOException {
        long parent = 0;
        int depth = 0;
        for (int i = nu - 1; i >= 0; i--) {
            long ip = userIps[i];
            if (ip == 0) continue;
            // Outer frames hold return addresses; the call is the instruction before.
            parent = link(parent, userFrame(upid, pid, i > 0 ? ip - 1 : ip), depth++);
        }
        for (int i = nk - 1; i >= 0; i--) {
            long ip = kernelIps[i];
            if (ip == 0) continue;
            parent = link(parent, kernelFrame(i > 0 ? ip - 1 : ip), depth++);
        }
        return parent;
    }

    private long link(long parent, long frame, int depth) throws IOException {
        framesTotal++;
        uses[(int) frame]++;
        long id = childOf.get(parent, frame);
        if (id == LongPairMap.ABSENT) {
            id = nextStack++;
            childOf.put(parent, frame, id);
            writer.stack(id, parent, frame, depth);
        }
        return id;
    }

    private long kernelFrame(long ip) throws IOException {
        long id = frameOfIp.get(KERNEL_KEY, ip);
        if (id == LongPairMap.ABSENT) {
            id = frameId(symbolizer.resolveKernel(ip));
            frameOfIp.put(KERNEL_KEY, ip, id);
        }
        return id;
    }

    private long userFrame(int upid, int pid, long ip) throws IOException {
        Proc p = proc(upid);
        if (p == null && upid > 0 && pid > 0) p = capture(upid, pid, System.nanoTime()); // CLOCK_MONOTONIC, as the trace
        long key = p == null ? ((long) upid << 32) : ((long) upid << 32) | (p.generation & 0xffffffffL);
        long id = frameOfIp.get(key, ip);
        if (id != LongPairMap.ABSENT) return id;
        ProcessMaps maps = p == null ? null : p.maps;
        if (p != null && (maps == null || maps.find(ip) == null) && System.nanoTime() - p.capturedAt > RECAPTURE_NS) {
            // Mapped after we looked (dlopen, a new JIT code heap): look again, once in a while.
            int gen = p.generation;
            p = capture(upid, p.pid, System.nanoTime(), true);
            p.generation = gen; // same program: frames already cached stay valid
            maps = p.maps;
        }
        Symbol s = symbolizer.resolveUser(maps, p == null ? pid : p.pid, ip);
        id = frameId(s);
        frameOfIp.put(key, ip, id);
        if (s.kind() == FrameKinds.UNKNOWN && s.module() == null && pid > 0) {
            if (pendingJitSize + 3 > pendingJit.length) pendingJit = Arrays.copyOf(pendingJit, Math.max(48, pendingJit.length * 2));
            pendingJit[pendingJitSize++] = id;
            pendingJit[pendingJitSize++] = p == null ? pid : p.pid;
            pendingJit[pendingJitSize++] = ip;
        }
        return id;
    }

    private long frameId(Symbol s) throws IOException {
        FrameKey k = new FrameKey(s.name(), s.module(), s.kind());
        Long id = frameIds.get(k);
        if (id != null) return id;
        long nid = nextFrame++;
        if (nid >= uses.length) uses = Arrays.copyOf(uses, uses.length * 2);
        frameIds.put(k, nid);
        if (s.resolved()) resolved.set((int) nid);
        writer.frame(nid, s.name(), s.module(), s.kind(), s.relPc());
        if (s.mangled() != null) writer.frameMangled(nid, s.mangled());
        return nid;
    }

    /**
     * Ends interning: frames of anonymous memory get a second chance against perf maps written since (a
     * JVM's {@code -XX:+DumpPerfMapAtExit} writes at exit), then writes the kernel mapping (upid 0, from
     * {@code _stext} to {@code _etext}, with the build-id of {@code kernelNotes}) and the counters.
     */
    public void finish(long ts, Path kernelNotes) throws IOException {
        askJvmsForPerfMaps();
        for (int i = 0; i < pendingJitSize; i += 3) {
            long frame = pendingJit[i];
            int pid = (int) pendingJit[i + 1];
            symbolizer.refreshJit(pid);
            String name = symbolizer.jitName(pid, pendingJit[i + 2]);
            if (name != null && !resolved.get((int) frame)) {
                // The frame row is rewritten in place; the same method at two addresses is two frame ids
                // with one name, which readers merge.
                writer.frame(frame, name, "[jit]", FrameKinds.JIT, pendingJit[i + 2]);
                resolved.set((int) frame);
            }
        }
        pendingJitSize = 0;
        KernelSymbols k = symbolizer.kernel();
        if (k.textStart() != 0) {
            writer.mapping(0, ts, k.textStart(), k.textEnd(), 0, "[kernel.kallsyms]",
                    kernelNotes == null ? null : Symbolizer.kernelBuildId(kernelNotes));
        }
        writer.meta("symbols.frames_total", Long.toString(framesTotal));
        writer.meta("symbols.frames_resolved", Long.toString(framesResolved()));
        writer.meta("symbols.unreadable_files", Long.toString(symbolizer.failures()));
    }

    /**
     * JVMs whose samples fell in anonymous memory are asked, while they still run, to write their perf map
     * ({@link JvmPerfMaps}), one after the other within {@link #JVM_ASK_BUDGET_NS} in all; how many were asked and
     * answered goes into {@code meta}.
     */
    private void askJvmsForPerfMaps() throws IOException {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        int asked = 0, written = 0, skipped = 0;
        long deadline = System.nanoTime() + JVM_ASK_BUDGET_NS;
        for (int i = 0; i < pendingJitSize; i += 3) {
            int pid = (int) pendingJit[i + 1];
            if (!seen.add(pid) || !JvmPerfMaps.isJvm(mapsOf(pid)) || !stillJvm(pid)) continue;
            if (System.nanoTime() > deadline) {
                skipped++;
                continue;
            }
            asked++;
            if (JvmPerfMaps.request(symbolizer.procRoot(), pid)) written++;
        }
        if (asked + skipped > 0) {
            writer.meta("symbols.jvm_perf_maps", asked + " JVMs asked (jcmd Compiler.perfmap), " + written + " answered"
                    + (skipped > 0 ? ", " + skipped + " not asked (time budget spent)" : ""));
        }
    }

    /**
     * Whether {@code pid} is a JVM now: jcmd signals its target (SIGQUIT), so a pid reused by another program
     * since the capture must not be asked.
     */
    private boolean stillJvm(int pid) {
        try {
            return JvmPerfMaps.isJvm(symbolizer.capture(pid));
        } catch (IOException | RuntimeException e) {
            return false; // exited: nothing to ask
        }
    }

    /** The last captured maps of the process {@code pid}, or null. */
    private ProcessMaps mapsOf(int pid) {
        for (Proc p : procs) if (p != null && p.pid == pid && p.maps != null) return p.maps;
        return null;
    }

    /** {@link #finish(long, Path)} with the running kernel's {@code /sys/kernel/notes}. */
    public void finish(long ts) throws IOException {
        finish(ts, Path.of("/sys/kernel/notes"));
    }

    /** Frame occurrences in all stacks interned so far. */
    public long framesTotal() {
        return framesTotal;
    }

    /** Of {@link #framesTotal()}, those whose frame a symbol table (or perf map) named. */
    public long framesResolved() {
        long n = 0;
        for (int f = resolved.nextSetBit(0); f >= 0; f = resolved.nextSetBit(f + 1)) n += uses[f];
        return n;
    }

    /** Distinct frames written so far. */
    public long frameCount() {
        return nextFrame - 1;
    }

    /** Distinct stack links written so far. */
    public long stackCount() {
        return nextStack - 1;
    }
}
