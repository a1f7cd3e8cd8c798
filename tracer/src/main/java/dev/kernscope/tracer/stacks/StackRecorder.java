package dev.kernscope.tracer.stacks;

import com.sun.jna.Memory;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.bpf.BpfException;
import dev.kernscope.tracer.bpf.BpfObject;
import dev.kernscope.tracer.bpf.FlavourLoader;
import dev.kernscope.tracer.bpf.LibC;
import dev.kernscope.tracer.bpf.RingBufferReader;
import dev.kernscope.tracer.symbols.StackInterner;
import dev.kernscope.tracer.symbols.Symbolizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Records on-CPU and off-CPU stacks: loads {@code stacks.bpf.o}, opens a cpu-clock perf event per CPU for
 * the sampling program, attaches the off-CPU programs (tp_btf, raw_tp fallback), drains the stack ring
 * buffer on its own thread into {@link StackBatch}es, and, on the recorder's writer thread, interns the
 * stacks and writes {@code stack_sample} rows. Symbolizing happens on the writer thread, never on the
 * ring buffer's.
 *
 * <p>Life cycle: {@link #start} → {@link #begin} (writer thread) → {@link #apply} and {@link #sampleLost}
 * (writer thread, repeatedly) → {@link #detach} (any thread) → {@link #finish} (writer thread) →
 * {@link #close}. Thread-safe only as that division says.
 */
public final class StackRecorder implements AutoCloseable, ProcessListener {
    private static final int BATCH = 512, BATCH_IPS = 16 * 1024, POOL = 32;
    /** A batch that is not full is handed to the writer after this long (latency of live traces). */
    private static final long HANDOFF_NS = 50_000_000L;
    private static final String[] OFF_CPU_PROGS = {"stacks_switch", "stacks_waking", "stacks_exit"};
    private static final String SAMPLE_PROG = "on_cpu_sample";
    private static final String SYS_EXIT_PROG = "stacks_sys_exit_btf";

    /** Counters of a recording; a snapshot, immutable. */
    public record Stats(long onCpuSamples, long offCpuSamples, long truncated, long taskMapFull, long ringbufLost,
                        long readerStalls, long frames, long stackLinks, int perfEvents, String attachMode,
                        long noUserStack) {
        /** Everything not recorded or recorded cut off, as written to lost_events. */
        public long lostTotal() {
            return truncated + taskMapFull + ringbufLost;
        }
    }

    private final StackOptions opts;
    private final BpfObject obj;
    private final RingBufferReader ring;
    private final int countersFd, pollMs, perfEvents;
    private final String attachMode;
    private final ArrayBlockingQueue<StackBatch> free = new ArrayBlockingQueue<>(POOL), ready = new ArrayBlockingQueue<>(POOL);
    private final Thread readerThread;
    private final EarlyMaps early = new EarlyMaps(Path.of("/proc"));
    private volatile boolean stopping, readerDone;
    private volatile Throwable failure;
    private volatile long readerStalls;
    private final boolean injectFault = "stacks".equals(System.getProperty("kernscope.test.fault"));
    private final long injectAt = System.nanoTime() + 1_000_000_000L;

    // writer thread
    private TraceWriter writer;
    private ThreadIds ids;
    private Symbolizer symbolizer;
    private StackInterner interner;
    private KernelGlue glue;
    private StackBatch head;
    private int headPos;
    private final long[] kIps = new long[StackEvent.MAX_DEPTH], uIps = new long[StackEvent.MAX_DEPTH],
            wIps = new long[StackEvent.MAX_DEPTH];
    private long[] lostPrev;
    private final long[] lostTotals = new long[StackEvent.CNT_MAX];
    private Memory key, vals;
    private volatile long onCpu, offCpu;
    private boolean closed;

    private StackRecorder(StackOptions opts, BpfObject obj, String attachMode, int perfEvents, long ringBytes,
                          int pollMs) throws BpfException {
        this.opts = opts;
        this.obj = obj;
        this.attachMode = attachMode;
        this.perfEvents = perfEvents;
        this.pollMs = pollMs;
        this.ring = new RingBufferReader(obj.mapFd("stack_events"), ringBytes);
        this.countersFd = obj.mapFd("counters");
        for (int i = 0; i < POOL; i++) free.add(new StackBatch(BATCH, BATCH_IPS));
        readerThread = new Thread(this::readLoop, "kernscope-stacks");
        readerThread.setDaemon(true);
    }

    /**
     * Loads, configures and attaches the stack programs and starts draining their ring buffer.
     *
     * @param selfTgid  the recorder's process, never sampled
     * @param targTgid  only this process (0 = all)
     * @param cpus      only these CPUs (null = all online)
     * @param ringBytes ring buffer size, a power of two
     */
    public static StackRecorder start(StackOptions opts, int selfTgid, int targTgid, BitSet cpus, long ringBytes,
                                      int pollMs) throws BpfException, IOException {
        byte[] elf = loadObject();
        FlavourLoader.Loaded loaded = FlavourLoader.load("stacks", elf, (o, flavour) -> {
            o.setAutoload(name -> name.equals(SAMPLE_PROG) || name.endsWith("_" + flavour));
            o.setRodata("self_tgid", selfTgid);
            o.setRodata("targ_tgid", targTgid);
            if (cpus != null) {
                o.setRodata("filter_cpus", true);
                byte[] mask = new byte[1024 / 8];
                byte[] bits = cpus.toByteArray();
                System.arraycopy(bits, 0, mask, 0, Math.min(bits.length, mask.length));
                o.setRodata("cpu_mask", mask);
            }
            o.setRodata("min_block_ns", opts.minBlockNs());
            o.setRodata("wakeup_bytes", ringBytes / 4);
            o.setMaxEntries("stack_events", (int) ringBytes);
        });
        BpfObject obj = loaded.obj();
        String mode = loaded.mode();
        int opened = 0;
        try {
            String suffix = loaded.suffix();
            for (String p : OFF_CPU_PROGS) obj.attach(p + suffix);
            // tp_btf defers a long block's user stack to its syscall's exit; raw_tp takes it at switch-out
            if (suffix.endsWith("btf")) obj.attach(SYS_EXIT_PROG);
            Memory attr = perfAttr(opts.freqHz());
            for (int cpu : onlineCpus()) {
                if (cpus != null && !cpus.get(cpu)) continue;
                int fd = LibC.perfEventOpen(attr, cpu);
                try {
                    obj.attachPerfEvent(SAMPLE_PROG, fd);
                } catch (BpfException e) {
                    LibC.close(fd);
                    throw e;
                }
                opened++;
            }
            StackRecorder r = new StackRecorder(opts, obj, mode, opened, ringBytes, pollMs);
            r.readerThread.start();
            return r;
        } catch (BpfException | RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** {@code struct perf_event_attr} (128 bytes, PERF_ATTR_SIZE_VER7) for a software cpu-clock event at {@code hz}. */
    static Memory perfAttr(int hz) {
        Memory a = new Memory(128);
        a.clear();
        a.setInt(0, 1);          // type = PERF_TYPE_SOFTWARE
        a.setInt(4, 128);        // size
        a.setLong(8, 0);         // config = PERF_COUNT_SW_CPU_CLOCK
        a.setLong(16, hz);       // sample_freq
        a.setLong(40, 1L | 1L << 10); // disabled (libbpf enables it once attached), freq
        return a;
    }

    static List<Integer> onlineCpus() throws IOException {
        String s = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (part.isBlank()) continue;
            String[] r = part.split("-");
            int a = Integer.parseInt(r[0].strip()), b = r.length > 1 ? Integer.parseInt(r[1].strip()) : a;
            for (int c = a; c <= b; c++) out.add(c);
        }
        return out;
    }

    private static byte[] loadObject() throws IOException {
        try (InputStream in = StackRecorder.class.getResourceAsStream("/dev/kernscope/tracer/bpf/stacks.bpf.o")) {
            if (in == null) throw new IOException("BPF object stacks.bpf.o is missing from the tracer jar (was it built with clang?)");
            return in.readAllBytes();
        }
    }

    public String attachMode() {
        return attachMode;
    }

    public List<String> programs() {
        return new ArrayList<>(obj.attachedPrograms().keySet());
    }

    // --- reader thread ----------------------------------------------------------------------------------------

    private StackBatch current;
    private long currentSince;
    private final RingBufferReader.Sink sink = (buf, off, len) -> {
        if (len < StackEvent.IPS) return true; // malformed: skip
        int n = StackBatch.ipCount(buf, off, len);
        if (current == null || !current.fits(n)) {
            if (current != null && current.size > 0) ready.add(current); // never blocks: the pool bounds batches in flight
            current = free.poll();
            if (current == null) return false;
            currentSince = System.nanoTime();
        }
        current.decode(buf, off, len);
        int i = current.size - 1;
        early.sampled(current.tgid[i], current.nu[i] > 0 ? current.ips[current.ipOff[i] + current.nk[i]] : 0);
        return true;
    };

    private void readLoop() {
        try {
            int finalStalls = 0;
            while (true) {
                boolean last = stopping; // read before draining so that the final drain sees everything
                if (injectFault && System.nanoTime() >= injectAt) { // test seam, as the Recorder's
                    throw new OutOfMemoryError("injected into the stacks thread (kernscope.test.fault)");
                }
                ring.drain(sink, Integer.MAX_VALUE);
                if (current != null && current.size > 0 && (last || System.nanoTime() - currentSince >= HANDOFF_NS)) {
                    ready.add(current);
                    current = null;
                }
                if (current == null && (current = free.poll()) != null) currentSince = System.nanoTime();
                // the final drain empties the ring, waiting for the writer to return batches (not forever: it may be gone)
                if (last && (ring.pending() == 0 || (current == null && ++finalStalls > 5000))) break;
                if (current == null) {
                    readerStalls++; // the writer holds every batch: records wait in the ring, the kernel counts drops
                    LockSupport.parkNanos(1_000_000);
                } else if (ring.pending() == 0) {
                    ring.await(pollMs);
                } else {
                    LockSupport.parkNanos(pollMs * 1_000_000L);
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            readerDone = true;
        }
    }

    // --- writer thread ----------------------------------------------------------------------------------------

    /** Binds the recorder to the trace and the thread identities; call on the writer thread before the /proc scan. */
    public void begin(TraceWriter w, ThreadIds threads) throws IOException {
        this.writer = w;
        this.ids = threads;
        this.symbolizer = new Symbolizer();
        this.interner = new StackInterner(w, symbolizer);
        interner.earlyCaptures(early::get);
        this.glue = new KernelGlue(symbolizer);
        int cpus = BpfObject.possibleCpus();
        lostPrev = new long[StackEvent.CNT_MAX * cpus];
        key = new Memory(4);
        vals = new Memory(8L * cpus);
        w.meta("feature.stacks", "on-cpu " + opts.freqHz() + " Hz, off-cpu >= " + opts.minBlockNs() + " ns, " + attachMode);
        w.meta("stacks.freq_hz", Integer.toString(opts.freqHz()));
        w.meta("stacks.min_block_ns", Long.toString(opts.minBlockNs()));
        w.meta("stacks.max_depth", Integer.toString(StackEvent.MAX_DEPTH));
        w.meta("stacks.off_cpu_weight", "switch-out to switch-in");
    }

    @Override
    public void processSeen(int upid, int pid, long ts) throws IOException {
        if (interner != null && upid > 0 && pid > 0) interner.processSeen(upid, pid, ts);
    }

    @Override
    public void processExec(int upid, int pid, long ts) throws IOException {
        if (interner != null && upid > 0 && pid > 0) interner.processExec(upid, pid, ts);
    }

    /**
     * Writes the samples whose interval ended at or before {@code watermark}: the scheduler events up to
     * there have been applied, so the threads they name exist and execs have re-captured mappings.
     */
    public void apply(long watermark) throws IOException {
        while (true) {
            if (head == null) {
                head = ready.poll();
                headPos = 0;
                if (head == null) return;
            }
            while (headPos < head.size) {
                if (head.endTs(headPos) > watermark) return;
                sample(head, headPos++);
            }
            head.clear();
            free.add(head);
            head = null;
        }
    }

    private void sample(StackBatch b, int i) throws IOException {
        long ts = b.ts[i];
        int tid = b.pid[i], tgid = b.tgid[i];
        int utid = ids.utid(tid, tgid, ts);
        int upid = tgid == 0 ? 0 : ids.upid(tgid, ts);
        int off = b.ipOff[i], nk = b.nk[i], nu = b.nu[i], nwk = b.nwk[i];
        int skip = glue.leading(b.ips, off, nk);
        System.arraycopy(b.ips, off + skip, kIps, 0, nk - skip);
        System.arraycopy(b.ips, off + nk, uIps, 0, nu);
        long stack = interner.intern(upid, tgid, kIps, nk - skip, uIps, nu);
        int wakerUtid = 0;
        long wakerStack = 0;
        if (b.kind[i] == StackEvent.OFF_CPU) {
            int wo = off + nk + nu;
            // woken from an interrupt: the task it interrupted is not the waker (the stack still says who was)
            boolean irq = nwk > 0 && glue.fromInterrupt(b.ips, wo, nwk);
            if (b.wakerPid[i] != 0 && !irq) wakerUtid = ids.utid(b.wakerPid[i], b.wakerTgid[i], ts + b.weight[i]);
            if (nwk > 0) {
                int ws = glue.leading(b.ips, wo, nwk);
                System.arraycopy(b.ips, wo + ws, wIps, 0, nwk - ws);
                wakerStack = interner.intern(0, 0, wIps, nwk - ws, uIps, 0);
            }
            offCpu++;
        } else {
            onCpu++;
        }
        int kind = b.kind[i] == StackEvent.OFF_CPU ? TraceWriter.SAMPLE_OFF_CPU : TraceWriter.SAMPLE_ON_CPU;
        writer.stackSample(ts, utid, b.cpu[i], stack, kind, b.weight[i], wakerUtid, wakerStack);
    }

    /** Writes what the BPF side could not record (per CPU, since the last call) into lost_events. */
    public void sampleLost(long ts) throws IOException {
        if (writer == null) return;
        try {
            for (int c = 0; c < StackEvent.CNT_MAX; c++) {
                long[] v = BpfObject.lookupPerCpuU64(countersFd, c, key, vals);
                long sum = 0;
                for (int cpu = 0; cpu < v.length; cpu++) {
                    int k = c * v.length + cpu;
                    if (k < lostPrev.length && v[cpu] > lostPrev[k]) {
                        writer.lost(ts, cpu, StackEvent.CNT_SOURCE[c], v[cpu] - lostPrev[k]);
                        lostPrev[k] = v[cpu];
                    }
                    sum += v[cpu];
                }
                lostTotals[c] = sum;
            }
        } catch (BpfException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Stops sampling: detaches the programs and closes the perf events; buffered records stay readable. */
    public void detach() {
        obj.detach();
        stopping = true;
    }

    /**
     * Ends the recording on the writer thread: waits for the reader's final drain, writes every remaining
     * sample, the loss counters, the JIT names perf maps now give and the kernel mapping. Call after
     * {@link #detach} and before {@code writer.finish}.
     */
    public void finish(long endTs) throws IOException {
        if (!stopping) detach();
        try {
            // the reader's final drain may need the batches this thread still holds
            while (readerThread.isAlive()) {
                apply(Long.MAX_VALUE);
                readerThread.join(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while finishing the stack recording", e);
        }
        apply(Long.MAX_VALUE); // a reader failure is the recorder's to report (failure()): keep what was read
        sampleLost(endTs);
        interner.finish(endTs);
        writer.meta("stacks.on_cpu_samples", Long.toString(onCpu));
        writer.meta("stacks.off_cpu_samples", Long.toString(offCpu));
        writer.meta("stacks.truncated", Long.toString(lostTotals[StackEvent.CNT_TRUNCATED]));
        writer.meta("stacks.lost", Long.toString(lostTotals[StackEvent.CNT_RINGBUF] + lostTotals[StackEvent.CNT_TASK_MAP]));
        writer.meta("stacks.offcpu_no_user_stack", Long.toString(lostTotals[StackEvent.CNT_NO_USER]));
    }

    /** What ended the ring buffer reader, or null while it runs or after it ended normally. Any thread. */
    public Throwable failure() {
        return failure;
    }

    /** Counters so far; exact once {@link #finish} returned. Any thread. */
    public Stats stats() {
        StackInterner in = interner;
        return new Stats(onCpu, offCpu, lostTotals[StackEvent.CNT_TRUNCATED], lostTotals[StackEvent.CNT_TASK_MAP],
                lostTotals[StackEvent.CNT_RINGBUF], readerStalls, in == null ? 0 : in.frameCount(),
                in == null ? 0 : in.stackCount(), perfEvents, attachMode, lostTotals[StackEvent.CNT_NO_USER]);
    }

    /** Detaches if still attached, then frees the ring buffer mapping and the BPF object. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (!stopping) detach();
        try {
            readerThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!readerThread.isAlive()) ring.close(); // never unmap under a running reader
        early.close();
        obj.close();
    }
}
