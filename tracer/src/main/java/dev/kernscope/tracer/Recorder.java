package dev.kernscope.tracer;

import com.sun.jna.Memory;
import dev.kernscope.storage.CpuList;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.bpf.BpfException;
import dev.kernscope.tracer.bpf.BpfObject;
import dev.kernscope.tracer.bpf.FlavourLoader;
import dev.kernscope.tracer.bpf.LibC;
import dev.kernscope.tracer.bpf.RingBufferReader;
import dev.kernscope.tracer.stacks.StackRecorder;
import dev.kernscope.tracer.numa.NumaCollector;
import dev.kernscope.tracer.numa.NumaEventDecoder;
import dev.kernscope.tracer.numa.NumaFeatures;
import dev.kernscope.tracer.numa.NumaPrograms;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Records scheduler and NUMA activity into a {@link TraceWriter}: loads and attaches {@code sched.bpf.o},
 * drains its ring buffer on a reader thread into {@link EventBatch}es, and turns them into rows on a writer
 * thread that owns the writer from {@link #start} until {@link #stop} returns. The writer thread also drains
 * {@code numa.bpf.o}'s ring buffer (when it loads) and samples the NUMA counters through a
 * {@link NumaCollector}. Unless turned off, a {@link StackRecorder} samples on-CPU and off-CPU stacks beside
 * it. The file is flushed every 250 ms, so it can be opened while recording.
 *
 * <p>Thread-safe: {@link #stop} and {@link #stats} may be called from any thread.
 */
public final class Recorder implements AutoCloseable {
    private static final int BATCH = 4096, POOL = 32;
    private static final long FLUSH_NS = 250_000_000L, COST_NS = 1_000_000_000L;
    /** Kernel run-time accounting costs two clock reads per program run, so it is on only in windows. */
    private static final long PROG_STATS_WINDOW_NS = 100_000_000L, PROG_STATS_PERIOD_NS = 2_000_000_000L;
    /**
     * Whether to sample the BPF programs' run time. Each sample turns kernel.bpf_stats_enabled on and off,
     * which patches kernel text on every CPU; {@code -Dkernscope.progStats=false} leaves it alone (the
     * two-node test's emulated guest does, where cross-CPU code patching is slow).
     */
    private static final boolean PROG_STATS = Boolean.parseBoolean(System.getProperty("kernscope.progStats", "true"));
    private static final String[] PROGS = {"sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_migrate",
            "sched_fork", "sched_exec", "sched_exit", "task_rename"};
    private static final String OPTIONAL_PROG = "task_rename", FLUSH_PROG = "flush_cpu";
    /** How often the reader has every CPU send its partial batch (and so how far the trace lags live). */
    private static final long BATCH_FLUSH_NS = 50_000_000L;

    /** Counters and timings of a recording; a snapshot, immutable. */
    public record Stats(long events, long slices, long runnables, long migrations, long lost, long writerStalls,
                        long decodeNs, long startTs, long endTs, long attachNs, String attachMode,
                        List<String> programs, long peakRssBytes, long numaAttachNs, String numaError,
                        long disordered) {
        public double decodeNsPerEvent() {
            return events == 0 ? 0 : (double) decodeNs / events;
        }
    }

    private final RecordOptions opts;
    private final TraceWriter writer;
    private final BpfObject obj;
    private final NumaPrograms numa; // null when numa.bpf.o did not load (numaError says why)
    private final String numaError;
    private final long numaAttachNs;
    private final RingBufferReader ring;
    private final int lostFd;
    private final long startTs, attachNs;
    private final String attachMode;
    private final ArrayBlockingQueue<EventBatch> free = new ArrayBlockingQueue<>(POOL), full = new ArrayBlockingQueue<>(POOL);
    private final Thread readerThread, writerThread;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopping, readerDone;
    private volatile String endReason = "stopped";
    private volatile long endTs;
    private volatile Throwable failure;
    private volatile String failedIn; // the thread that failed first
    private volatile boolean finishedFile; // the writer finished the file (indexes, end_reason)
    /** Test seam: a recorder thread ("reader", "writer", "stacks") that throws an Error 1 s into the recording. */
    private final String injectFault = System.getProperty("kernscope.test.fault");
    private final long injectAt = System.nanoTime() + 1_000_000_000L;
    private boolean committedSlices; // writer thread
    private volatile long decoded, decodeNs, writerStalls, lostTotal, peakRss;
    private SchedModel model; // writer thread only
    private NumaCollector collector; // writer thread only
    // stack sampling (null with --no-stacks or when it could not start), and why it is off
    private StackRecorder stacks;
    private String stacksError;
    private final int flushFd; // flush_cpu: sends one CPU's partial batch of events
    private final com.sun.jna.Memory flushAttr = new com.sun.jna.Memory(LibC.TEST_RUN_ATTR_SIZE);
    private int[] onlineCpus;
    private long onlineReadNs;
    private volatile long disordered;

    private Recorder(RecordOptions opts, TraceWriter writer, BpfObject obj, String attachMode, long startTs,
                     long attachNs, NumaPrograms numa, String numaError, long numaAttachNs) throws BpfException {
        this.opts = opts;
        this.writer = writer;
        this.obj = obj;
        this.numa = numa;
        this.numaError = numaError;
        this.numaAttachNs = numaAttachNs;
        this.attachMode = attachMode;
        this.startTs = startTs;
        this.attachNs = attachNs;
        this.ring = new RingBufferReader(obj.mapFd("events"), opts.bufferBytes());
        this.lostFd = obj.mapFd("lost");
        this.flushFd = obj.programFd(FLUSH_PROG);
        this.onlineCpus = onlineCpus();
        flushBatches(); // fails here, with a clear line, on a kernel that cannot run it on a given CPU
        for (int i = 0; i < POOL; i++) free.add(new EventBatch(BATCH));
        readerThread = new Thread(this::readLoop, "kernscope-ringbuf");
        writerThread = new Thread(this::writeLoop, "kernscope-writer");
        readerThread.setDaemon(true);
        writerThread.setDaemon(true);
    }

    /**
     * Loads, configures and attaches the scheduler programs and starts recording into {@code writer}, which
     * belongs to the recorder's writer thread until {@link #stop} returns.
     */
    public static Recorder start(RecordOptions opts, TraceWriter writer) throws BpfException, IOException {
        LibC.unlimitMemlock();
        byte[] elf = loadResource("bpf/sched.bpf.o");
        if (!opts.verbose()) BpfObject.quietLibbpf();
        long t0 = System.nanoTime();
        long startTs = LibC.monotonicNs();
        FlavourLoader.Loaded loaded = FlavourLoader.load("sched", elf, (o, flavour) -> configure(o, opts, flavour));
        BpfObject obj = loaded.obj();
        String mode = loaded.mode();
        try {
            String suffix = loaded.suffix();
            for (String p : PROGS) {
                try {
                    obj.attach(p + suffix);
                } catch (BpfException e) {
                    if (!p.equals(OPTIONAL_PROG)) throw e;
                }
            }
            long attachNs = System.nanoTime() - t0;
            NumaPrograms numa = null;
            String numaError = null;
            long t1 = System.nanoTime();
            try {
                NumaFeatures.mountTracefs(); // libbpf finds mm_migrate_pages' id there
                numa = NumaPrograms.load(loadResource("bpf/numa.bpf.o"), (int) ProcessHandle.current().pid(), opts.pid());
            } catch (BpfException | IOException e) {
                numaError = e.getMessage(); // NUMA events are optional: the counters and topology still come from sysfs
            }
            long numaAttachNs = System.nanoTime() - t1;
            Recorder r;
            try {
                r = new Recorder(opts, writer, obj, mode, startTs, attachNs, numa, numaError, numaAttachNs);
            } catch (BpfException | RuntimeException e) {
                if (numa != null) numa.close();
                throw e;
            }
            r.startStacks();
            r.writerThread.start();
            r.readerThread.start();
            return r;
        } catch (BpfException | RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    private static void configure(BpfObject o, RecordOptions opts, String flavour) throws BpfException {
        o.setAutoload(name -> name.endsWith("_" + flavour) || name.equals(FLUSH_PROG));
        o.setRodata("self_tgid", (int) ProcessHandle.current().pid());
        o.setRodata("targ_tgid", opts.pid());
        if (opts.cpus() != null) {
            o.setRodata("filter_cpus", true);
            byte[] mask = new byte[1024 / 8];
            byte[] bits = opts.cpus().toByteArray(); // little-endian bit order, as the u64 array is read
            System.arraycopy(bits, 0, mask, 0, Math.min(bits.length, mask.length));
            o.setRodata("cpu_mask", mask);
        }
        // per CPU: a quarter of the buffer shared among the CPUs; the consumer's timer does the rest
        o.setRodata("wakeup_bytes", Math.max(64 << 10, opts.bufferBytes() / 4 / Math.max(1, BpfObject.possibleCpus())));
        o.setMaxEntries("events", (int) opts.bufferBytes());
    }

    /** Stack sampling is worth having, not worth failing the recording for: without it, say why. */
    private void startStacks() throws IOException {
        if (opts.stacks() == null) return;
        try {
            stacks = StackRecorder.start(opts.stacks(), (int) ProcessHandle.current().pid(), opts.pid(), opts.cpus(),
                    Math.max(1L << 20, opts.bufferBytes() / 2), opts.pollMs());
        } catch (BpfException | IOException e) {
            stacksError = e.getMessage();
        }
    }

    /** Stack sampling counters, or null when stacks are not recorded (see {@link #stacksError()}). */
    public StackRecorder.Stats stackStats() {
        return stacks == null ? null : stacks.stats();
    }

    /** Why stacks are not recorded although asked for, or null. */
    public String stacksError() {
        return stacksError;
    }

    static byte[] loadResource(String name) throws IOException {
        try (InputStream in = Recorder.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("BPF object " + name + " is missing from the tracer jar (was it built with clang?)");
            return in.readAllBytes();
        }
    }

    // --- reader thread ----------------------------------------------------------------------------------------

    private EventBatch current;
    private long sinkEvents;
    private final RingBufferReader.Sink sink = (buf, off, len) -> {
        int n = EventBatch.eventsIn(buf, off, len);
        if (current == null || current.room() < n) {
            if (current != null) full.add(current); // never blocks: the pool bounds the batches in flight
            current = free.poll();
            if (current == null) return false;
        }
        current.decode(buf, off, len);
        sinkEvents += n;
        return true;
    };

    /** The CPUs whose events are recorded: online ones, within --cpus. */
    private int[] recordedCpus() {
        return java.util.Arrays.stream(onlineCpus).filter(c -> opts.cpus() == null || opts.cpus().get(c)).toArray();
    }

    /** CPUs online now; flush_cpu can only run there. */
    private static int[] onlineCpus() {
        String list = ProcFs.read("/sys/devices/system/cpu/online");
        if (list == null) {
            int[] all = new int[BpfObject.possibleCpus()];
            for (int c = 0; c < all.length; c++) all[c] = c;
            return all;
        }
        return CpuList.parse(list);
    }

    /**
     * Has every online CPU send its partial batch: afterwards every switch, wakeup and migration stamped
     * before the call is in the ring buffer (the program runs in an IPI, so never inside another one's write).
     */
    private void flushBatches() throws BpfException {
        long now = System.nanoTime();
        if (now - onlineReadNs >= 1_000_000_000L) { // CPUs come and go
            onlineCpus = onlineCpus();
            onlineReadNs = now;
        }
        for (int c : onlineCpus) {
            int err = LibC.runOnCpu(flushFd, c, flushAttr);
            if (err != 0 && err != LibC.ENXIO) {
                throw new BpfException("cannot run " + FLUSH_PROG + " on CPU " + c
                        + " (BPF_PROG_TEST_RUN on a given CPU needs Linux 5.10 or newer)", err);
            }
        }
    }

    private void readLoop() {
        long wakeBytes = opts.bufferBytes() / 4;
        long lastFlush = 0;
        boolean finalFlush = false;
        // no wakeup preemption: the reader waits its turn instead of interrupting the recorded workload
        LibC.deprioritizeThisThread(LibC.SCHED_BATCH, 0);
        try {
            while (true) {
                boolean last = stopping; // read before draining so that the final drain sees everything
                long now = System.nanoTime();
                if (last && !finalFlush) {
                    flushBatches(); // detached by now: this empties the batches for good
                    finalFlush = true;
                } else if (!last && markTarget < 0 && now - lastFlush >= BATCH_FLUSH_NS) {
                    // single events are stamped after their reserve, batched ones sent by flushBatches: once
                    // the ring is drained to this position, every event stamped before markTs has been read
                    // (CLOCK_MONOTONIC, as bpf_ktime_get_ns)
                    markTs = now;
                    flushBatches();
                    markTarget = ring.producerPosition();
                    lastFlush = now;
                }
                injected("reader");
                int n = drainOnce();
                // the final drain empties the ring, waiting for the writer to return batches if need be
                if (last && (ring.pending() == 0 || done.getCount() == 0)) break;
                if (last) {
                    if (current == null) LockSupport.parkNanos(1_000_000);
                } else if (current == null) {
                    writerStalls++; // the writer holds every batch: leave records in the ring, the kernel counts drops
                    LockSupport.parkNanos(1_000_000);
                } else if (ring.pending() == 0) {
                    ring.await(opts.pollMs());
                } else if (ring.pending() < wakeBytes || n == 0) {
                    LockSupport.parkNanos(opts.pollMs() * 1_000_000L);
                }
            }
        } catch (Throwable t) {
            fail("ring buffer reader", t);
        } finally {
            readerDone = true;
        }
    }

    /** Throws what a test asked {@code thread} to throw (kernscope.test.fault); else nothing. */
    private void injected(String thread) {
        if (thread.equals(injectFault) && System.nanoTime() >= injectAt) throw new OutOfMemoryError("injected into the " + thread + " thread (kernscope.test.fault)");
    }

    /**
     * Ends the recording because {@code where} failed: the first failure is kept, the programs are detached
     * at once (the kernel stops producing) and the writer finishes the file with end_reason saying why.
     */
    private void fail(String where, Throwable t) {
        synchronized (failLock) {
            if (failure != null) return;
            failure = t;
            failedIn = where;
        }
        // not under the recorder's lock when a stop holds it: close() waits for this very thread meanwhile
        if (!stopping) requestStop("error: " + where + ": " + t);
        endReason = "error: " + where + ": " + t; // also when a stop was already under way
    }

    private final Object failLock = new Object();

    /** Reader thread: the pending mark, its time and the ring position to drain to first (-1: none pending). */
    private long markTs, markTarget = -1;

    /**
     * Drains the ring into batches for the writer; once it got to {@link #markTarget}, ends them with the mark
     * (and clears it). Returns the records read.
     */
    private int drainOnce() {
        long t = System.nanoTime();
        int total = 0, n;
        do {
            n = ring.drain(sink, Integer.MAX_VALUE);
            total += n;
        } while (n > 0 && current != null && (!current.full() || !free.isEmpty()));
        if (markTarget >= 0 && ring.consumerPosition() >= markTarget) {
            if (current == null || current.room() == 0) {
                if (current != null) full.add(current);
                current = free.poll();
            }
            if (current != null) { // else no batch is free: the mark waits for the next drain
                current.mark(markTs);
                markTarget = -1;
            }
        }
        if (current != null && current.size > 0) {
            full.add(current);
            current = null;
        }
        if (current == null) current = free.poll();
        if (total > 0) {
            decodeNs += System.nanoTime() - t;
            decoded = sinkEvents;
        }
        return total;
    }

    // --- writer thread ----------------------------------------------------------------------------------------

    private void writeLoop() {
        Memory key = new Memory(4), vals = new Memory(8L * BpfObject.possibleCpus()), info = new Memory(232);
        long[] lostPrev = new long[BpfObject.possibleCpus()];
        int statsFd = -1;
        try {
            // SQLite work is the bulk of the helper's CPU: let the workload and the reader go first
            LibC.deprioritizeThisThread(LibC.SCHED_BATCH, 10);
            writeFacts();
            model = new SchedModel(writer, opts.pid(), startTs);
            model.execArgs(new ExecArgs(obj.mapFd("exec_args")));
            if (stacks != null) {
                stacks.begin(writer, model);
                model.listener(stacks);
            } else if (opts.stacks() != null) {
                writer.meta("feature.stacks", "off: " + stacksError);
            }
            model.scanProc(startTs);
            // Pages are sampled only for processes the scheduler events already know (others are skipped).
            collector = NumaCollector.forHost(model::knownUpidOf);
            collector.start(LibC.monotonicNs(), writer); // cpu, numa_node, numa_distance rows and NUMA feature flags
            if (numa != null) {
                numa.decodeInto(new NumaEventDecoder(collector.topology(), model::utidOf), writer);
                writer.meta(numa.meta());
            }
            writer.flush();
            long lastFlush = System.nanoTime(), lastCost = lastFlush, nextStats = lastFlush, statsOff = 0;
            EventMerger merger = new EventMerger(model::apply, recordedCpus(), EventMerger.DEFAULT_LIMIT);
            while (true) {
                if (committedSlices) injected("writer"); // once there is something to keep
                if (stacks != null && stacks.failure() != null) fail("stack reader", stacks.failure());
                EventBatch b = full.poll(50, TimeUnit.MILLISECONDS);
                if (b != null) {
                    merger.add(b);
                    b.clear();
                    free.add(b);
                    disordered = merger.disordered;
                } else if (readerDone && full.isEmpty()) {
                    merger.releaseAll(); // the reader read every CPU's last batch
                    break;
                }
                // Stack samples wait until the sched events before them are applied (their threads exist,
                // execs re-captured mappings).
                if (stacks != null) stacks.apply(merger.released());
                // after the sched batches, so that faulting threads are mostly known by then
                if (numa != null) numa.drain();
                collector.poll(LibC.monotonicNs(), writer);
                long now = System.nanoTime();
                if (PROG_STATS && statsFd < 0 && now >= nextStats) {
                    statsFd = enableProgStats();
                    statsOff = now + PROG_STATS_WINDOW_NS;
                    nextStats = now + PROG_STATS_PERIOD_NS;
                } else if (statsFd >= 0 && now >= statsOff) {
                    sampleProgStats(info);
                    LibC.close(statsFd);
                    statsFd = -1;
                }
                if (now - lastCost >= COST_NS) {
                    sampleCost(key, vals, lostPrev);
                    lastCost = now;
                }
                if (now - lastFlush >= FLUSH_NS) {
                    sampleLost(LibC.monotonicNs(), key, vals, lostPrev);
                    if (stacks != null) stacks.sampleLost(LibC.monotonicNs());
                    model.flushPending();
                    writer.flush();
                    committedSlices = model.slices > 0;
                    lastFlush = now;
                }
            }
            model.finish(endTs);
            if (stacks != null) stacks.finish(endTs);
            sampleCost(key, vals, lostPrev);
            if (statsFd >= 0) sampleProgStats(info);
            if (numa != null) {
                numa.drain(); // detached by now
                numa.sampleLost(LibC.monotonicNs());
                writer.meta(numa.meta());
            }
            collector.finish(endTs, writer);
            writer.meta("lost_events", Long.toString(lostTotal));
            writer.meta("runq_kernel_samples", Long.toString(model.kernelRunqSamples));
            disordered = merger.disordered;
            // neither should ever happen; say so in the file if it did
            if (disordered > 0) writer.meta("disordered_events", Long.toString(disordered));
            if (merger.late > 0) writer.meta("late_events", Long.toString(merger.late));
            if (merger.forced > 0) writer.meta("merge_forced_releases", Long.toString(merger.forced));
            writer.meta("feature.attach", attachMode);
            writer.finish(endTs, endReason);
            finishedFile = true;
        } catch (Throwable t) {
            fail("writer", t);
            salvage();
        } finally {
            if (statsFd >= 0) LibC.close(statsFd);
            if (collector != null) {
                try {
                    collector.close();
                } catch (IOException e) {
                    // counter files are read-only: nothing was lost
                }
            }
            done.countDown();
        }
    }

    /**
     * Writer thread, after it failed: drops the rows of the transaction that failed, keeps every committed
     * one and finishes the file with end_reason; if that fails too (a full disk has no room for indexes),
     * at least says why in meta; if even that fails, the file holds what was committed and, its lock gone,
     * readers see a recording that ended unexpectedly.
     */
    private void salvage() {
        try {
            writer.abandonPending();
            writer.meta("lost_events", Long.toString(lostTotal));
            writer.finish(endTs, endReason);
            finishedFile = true;
        } catch (Throwable t) {
            failure.addSuppressed(t);
            try {
                writer.abandonPending();
                writer.endUnfinished(endTs, endReason);
            } catch (Throwable t2) {
                failure.addSuppressed(t2);
            }
        }
    }

    private void writeFacts() throws IOException {
        String host = ProcFs.read("/proc/sys/kernel/hostname"), rel = ProcFs.read("/proc/sys/kernel/osrelease");
        writer.meta("hostname", host == null ? "" : host.strip());
        writer.meta("kernel_release", rel == null ? "" : rel.strip());
        writer.meta("start_ts", Long.toString(startTs));
        writer.meta("cmdline", opts.cmdline());
        writer.meta("feature.attach", attachMode);
        writer.meta("feature.ringbuf_bytes", Long.toString(opts.bufferBytes()));
        writer.meta("feature.task_rename", Boolean.toString(obj.attachedPrograms().keySet().stream().anyMatch(p -> p.startsWith(OPTIONAL_PROG))));
        if (opts.pid() != 0) writer.meta("filter.pid", Integer.toString(opts.pid()));
        if (opts.cpus() != null) writer.meta("filter.cpus", CpuList.format(opts.cpus().stream().toArray()));
        if (numaError != null) writer.meta("feature.numa_bpf_error", numaError);
    }

    private static int enableProgStats() {
        try {
            return BpfObject.enableRunTimeStats();
        } catch (BpfException e) {
            return -1; // run-time stats are a nicety; recording goes on without them
        }
    }

    /** Cumulative run time and count per program: only runs inside the stats windows add to them. */
    private void sampleProgStats(Memory info) throws IOException {
        long ts = LibC.monotonicNs();
        try {
            for (Map.Entry<String, Integer> p : obj.attachedPrograms().entrySet()) {
                long[] s = BpfObject.runStats(p.getValue(), info);
                writer.bpfProgStats(ts, p.getKey(), s[0], s[1]);
            }
            if (numa != null) {
                for (Map.Entry<String, Integer> p : numa.attachedPrograms().entrySet()) {
                    long[] s = BpfObject.runStats(p.getValue(), info);
                    writer.bpfProgStats(ts, p.getKey(), s[0], s[1]);
                }
            }
        } catch (BpfException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private void sampleCost(Memory key, Memory vals, long[] lostPrev) throws IOException {
        long ts = LibC.monotonicNs();
        sampleLost(ts, key, vals, lostPrev);
        long rss = ProcFs.selfMem("VmRSS");
        peakRss = Math.max(peakRss, ProcFs.selfMem("VmHWM"));
        writer.tracerCost(ts, ProcFs.selfCpuNs(LibC.clockTicks()), rss, decoded, lostTotal);
        if (stacks != null) stacks.sampleLost(ts);
    }

    /**
     * Writes the ring buffer's drops per CPU since the last call as lost_events rows at {@code ts}: called at
     * every flush (250 ms), so the timeline can mark where within a quarter of a second.
     */
    private void sampleLost(long ts, Memory key, Memory vals, long[] lostPrev) throws IOException {
        try {
            long[] lost = BpfObject.lookupPerCpuU64(lostFd, 0, key, vals);
            long sum = 0;
            for (int c = 0; c < lost.length; c++) {
                if (lost[c] > lostPrev[c]) writer.lost(ts, c, "ringbuf", lost[c] - lostPrev[c]);
                lostPrev[c] = lost[c];
                sum += lost[c];
            }
            lostTotal = sum;
            if (numa != null) numa.sampleLost(ts);
        } catch (BpfException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    // --- control ----------------------------------------------------------------------------------------------

    /**
     * Stops recording: detaches the programs, drains what the ring buffer holds, closes open slices and
     * finishes the file with {@code reason} as meta('end_reason'). Idempotent; returns the final stats.
     * The caller still closes the writer.
     */
    public Stats stop(String reason) throws IOException {
        requestStop(reason);
        try {
            done.await();
            readerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while finishing the recording", e);
        }
        close();
        if (failure != null) {
            String cause = failure instanceof IOException ? failure.getMessage() : failure.toString();
            throw new IOException("recording failed in the " + failedIn + " thread: " + cause + "; "
                    + (finishedFile ? writer.path() + " is finished with the events recorded until then"
                    : writer.path() + " keeps every event committed until then"), failure);
        }
        return stats();
    }

    /** Waits until the recording ends by itself (an error) or {@code timeoutMs} passes; true if it ended. */
    public boolean awaitFailure(long timeoutMs) throws InterruptedException {
        return done.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    public Stats stats() {
        long s = model == null ? 0 : model.slices, r = model == null ? 0 : model.runnables,
                m = model == null ? 0 : model.migrations;
        List<String> progs = new ArrayList<>(obj.attachedPrograms().keySet());
        if (numa != null) progs.addAll(numa.attachedPrograms().keySet());
        return new Stats(decoded, s, r, m, lostTotal, writerStalls, decodeNs, startTs, endTs, attachNs, attachMode,
                progs, Math.max(peakRss, ProcFs.selfMem("VmHWM")), numaAttachNs, numaError, disordered);
    }

    private boolean closed;

    private synchronized void requestStop(String reason) {
        if (stopping) return;
        endReason = reason;
        endTs = LibC.monotonicNs();
        obj.detach();
        if (stacks != null) stacks.detach();
        if (numa != null) numa.detach();
        stopping = true;
    }

    /** Stops if still recording (end_reason 'stopped'), then frees the BPF object and the ring buffer mapping. */
    @Override
    public synchronized void close() {
        if (closed) return;
        if (!stopping) {
            requestStop("stopped");
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            readerThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        if (!readerThread.isAlive()) ring.close(); // never unmap under a running reader
        obj.close();
        if (stacks != null) stacks.close();
        if (numa != null && done.getCount() == 0) numa.close(); // the writer thread drains it until done
    }
}
