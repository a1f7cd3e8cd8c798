package dev.kernscope.tracer.numa;

import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;

/**
 * Turns {@code struct numa_event} records from the NUMA ring buffer into numa_fault, numa_decision and
 * page_migration rows. Allocates nothing per event: the caller passes the record's buffer and offset.
 *
 * <p>Not thread-safe: use on the thread that drains the ring buffer and owns the {@link TraceWriter}.
 */
public final class NumaEventDecoder {
    private final int[] cpuToNode;
    private final IntUnaryOperator tidToUtid;
    private long faults, decisions, migrations;

    /**
     * @param topology  for the node of a CPU (sched_*_numa carry CPUs; the kernel's own nid is derived the same way)
     * @param tidToUtid the recorder's thread table: kernel pid → utid, 0 when unknown
     */
    public NumaEventDecoder(NumaTopology topology, IntUnaryOperator tidToUtid) {
        this.cpuToNode = topology.cpuToNode();
        this.tidToUtid = tidToUtid;
    }

    /** Decodes the record at {@code off} of {@code buf} (little-endian, as the BPF program wrote it). */
    public void decode(ByteBuffer buf, int off, TraceWriter w) throws IOException {
        ByteBuffer b = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long ts = b.getLong(off + NumaEvent.TS);
        int type = b.getInt(off + NumaEvent.TYPE);
        switch (type) {
            case NumaEvent.FAULT -> {
                int cpu = b.getInt(off + NumaEvent.CPU);
                int utid = tidToUtid.applyAsInt(b.getInt(off + NumaEvent.PID));
                w.numaFault(ts, utid, cpu, nodeOf(cpu), b.getInt(off + NumaEvent.NID),
                        (int) b.getLong(off + NumaEvent.COUNT), b.getInt(off + NumaEvent.FLAGS));
                faults++;
            }
            case NumaEvent.MOVE, NumaEvent.SWAP, NumaEvent.STICK -> {
                int src = b.getInt(off + NumaEvent.SRC_CPU), dst = b.getInt(off + NumaEvent.DST_CPU);
                String kind = type == NumaEvent.MOVE ? "move" : type == NumaEvent.SWAP ? "swap" : "stick";
                w.numaDecision(ts, kind, tidToUtid.applyAsInt(b.getInt(off + NumaEvent.PID)), src, nodeOf(src), dst,
                        nodeOf(dst));
                decisions++;
            }
            case NumaEvent.MIGRATE_PAGES -> {
                w.pageMigration(ts, b.getLong(off + NumaEvent.COUNT), b.getLong(off + NumaEvent.COUNT2),
                        b.getInt(off + NumaEvent.NID), b.getInt(off + NumaEvent.FLAGS));
                migrations++;
            }
            default -> { } // a newer BPF object: skip what this build does not know
        }
    }

    private int nodeOf(int cpu) {
        return cpu >= 0 && cpu < cpuToNode.length ? cpuToNode[cpu] : -1;
    }

    public long faults() {
        return faults;
    }

    public long decisions() {
        return decisions;
    }

    public long pageMigrations() {
        return migrations;
    }
}
