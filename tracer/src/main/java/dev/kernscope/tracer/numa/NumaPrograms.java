package dev.kernscope.tracer.numa;

import com.sun.jna.Memory;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.bpf.BpfException;
import dev.kernscope.tracer.bpf.BpfObject;
import dev.kernscope.tracer.bpf.RingBufferReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded {@code numa.bpf.o}: hinting faults (fentry on task_numa_fault), balancing decisions
 * (sched_*_numa, tp_btf or raw_tp) and page migrations (mm_migrate_pages) into one ring buffer, drained
 * into a {@link NumaEventDecoder}. What the kernel refuses is switched off, and {@link #meta} says what was
 * recorded. Not thread-safe: load, drain and close it on the thread that owns the {@link TraceWriter}
 * ({@link #detach} may be called from another).
 */
public final class NumaPrograms implements AutoCloseable {
    private static final long RING_BYTES = 4 << 20;

    /** One load attempt: which flavour of the balancing tracepoints, and whether fentry and the migration tracepoint load. */
    private record Attempt(boolean btf, boolean fentry, boolean migrate) {
    }

    private static final List<Attempt> ATTEMPTS = List.of(new Attempt(true, true, true), new Attempt(true, false, true),
            new Attempt(false, false, true), new Attempt(false, false, false));

    private final BpfObject obj;
    private final RingBufferReader ring;
    private final int lostFd;
    private final boolean fault, sched, migrate;
    private final String schedMode;
    private final long[] lostPrev = new long[BpfObject.possibleCpus()];
    private final Memory key = new Memory(4), vals = new Memory(8L * BpfObject.possibleCpus());
    private NumaEventDecoder decoder;
    private TraceWriter writer;
    private long lostTotal;
    private final RingBufferReader.Sink sink = (buf, off, len) -> {
        try {
            decoder.decode(buf, off, writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    };

    private NumaPrograms(BpfObject obj, boolean fault, boolean sched, String schedMode, boolean migrate)
            throws BpfException {
        this.obj = obj;
        this.fault = fault;
        this.sched = sched;
        this.schedMode = schedMode;
        this.migrate = migrate;
        this.ring = new RingBufferReader(obj.mapFd(NumaEvent.MAP_EVENTS), RING_BYTES);
        this.lostFd = obj.mapFd(NumaEvent.MAP_LOST);
    }

    /**
     * Loads and attaches what this kernel allows, trying fentry + tp_btf first and dropping fentry (EPERM on
     * kernels that refuse to trampoline task_numa_fault), then tp_btf, then the migration tracepoint.
     * Throws the first attempt's error when nothing loads at all.
     */
    public static NumaPrograms load(byte[] elf, int selfTgid, int targTgid) throws BpfException {
        BpfException first = null;
        for (Attempt a : ATTEMPTS) {
            BpfObject o = BpfObject.open("numa", elf);
            try {
                o.setAutoload(p -> wanted(p, a));
                o.setRodata("self_tgid", selfTgid);
                o.setRodata("targ_tgid", targTgid);
                o.setMaxEntries(NumaEvent.MAP_EVENTS, (int) RING_BYTES);
                o.load();
            } catch (BpfException e) {
                o.close();
                if (first == null) first = e;
                continue;
            }
            try {
                boolean fault = a.fentry() && attach(o, NumaEvent.PROG_FAULT);
                boolean sched = true;
                for (String p : a.btf() ? NumaEvent.PROGS_BTF : NumaEvent.PROGS_RAW) sched &= attach(o, p);
                boolean migrate = a.migrate() && attach(o, NumaEvent.PROG_MIGRATE_PAGES);
                return new NumaPrograms(o, fault, sched, a.btf() ? "tp_btf" : "raw_tp", migrate);
            } catch (BpfException | RuntimeException e) {
                o.close();
                throw e;
            }
        }
        throw first;
    }

    private static boolean wanted(String prog, Attempt a) {
        if (prog.equals(NumaEvent.PROG_FAULT)) return a.fentry();
        if (prog.equals(NumaEvent.PROG_MIGRATE_PAGES)) return a.migrate();
        if (prog.endsWith("_btf")) return a.btf();
        if (prog.endsWith("_raw")) return !a.btf();
        return false;
    }

    private static boolean attach(BpfObject o, String prog) {
        try {
            o.attach(prog);
            return true;
        } catch (BpfException e) {
            return false; // one missing signal does not stop the others
        }
    }

    /** Sets where decoded events go: call before the first {@link #drain}. */
    public void decodeInto(NumaEventDecoder decoder, TraceWriter writer) {
        this.decoder = decoder;
        this.writer = writer;
    }

    /** Decodes everything the ring buffer holds into rows; returns the number of records. */
    public int drain() throws IOException {
        try {
            return ring.drain(sink, Integer.MAX_VALUE);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes per-CPU losses since the last call as lost_events rows (source 'numa_ringbuf'); returns the total so far. */
    public long sampleLost(long ts) throws IOException {
        long[] lost;
        try {
            lost = BpfObject.lookupPerCpuU64(lostFd, 0, key, vals);
        } catch (BpfException e) {
            throw new IOException(e.getMessage(), e);
        }
        long sum = 0;
        for (int c = 0; c < lost.length && c < lostPrev.length; c++) {
            if (lost[c] > lostPrev[c]) writer.lost(ts, c, "numa_ringbuf", lost[c] - lostPrev[c]);
            lostPrev[c] = lost[c];
            sum += lost[c];
        }
        lostTotal = sum;
        return sum;
    }

    /** The feature meta rows that only loading could settle (they replace {@link NumaFeatures#meta}'s guesses). */
    public Map<String, String> meta() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("feature.task_numa_fault", fault ? "fentry" : "absent");
        if (sched) m.put("feature.sched_numa_tracepoints", "recorded");
        if (migrate) m.put("feature.mm_migrate_pages", "recorded");
        m.put("feature.numa_attach", schedMode);
        m.put("numa_lost_events", Long.toString(lostTotal));
        return m;
    }

    /** Attached programs and their fds. */
    public Map<String, Integer> attachedPrograms() {
        return obj.attachedPrograms();
    }

    public boolean faults() {
        return fault;
    }

    /** Stops the programs; what they wrote stays drainable until {@link #close}. */
    public void detach() {
        obj.detach();
    }

    @Override
    public void close() {
        ring.close();
        obj.close();
    }
}
