package dev.kernscope.tracer.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Consumes a BPF ring buffer map straight from its mmap'ed pages, as libbpf's ring_buffer__consume does,
 * without a JNA call or an allocation per record: the consumer page is mapped read-write, the producer
 * page and the data area read-only. The data area is mapped once, not twice as libbpf does (which would
 * count the buffer twice in the helper's RSS): the rare record that wraps is copied into a scratch buffer.
 *
 * <p>Not thread-safe: one consumer thread per instance.
 */
public final class RingBufferReader implements AutoCloseable {
    private static final int BUSY = 1 << 31, DISCARD = 1 << 30, HDR = 8;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Receives one record; returns false to stop draining before this record is consumed. */
    public interface Sink {
        boolean accept(ByteBuffer buf, int offset, int length);
    }

    private final int fd;
    private final int pageSize;
    private final long size, mask, publishBytes;
    private final Pointer consumerMem, producerMem;
    private final ByteBuffer consumer, producer;
    private ByteBuffer scratch = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory pollfd = new Memory(8);
    private long cons;

    /** Maps the ring buffer of {@code mapFd}, whose data area is {@code size} bytes (a power of 2). */
    public RingBufferReader(int mapFd, long size) throws BpfException {
        if (Long.bitCount(size) != 1 || size > (1L << 29)) throw new IllegalArgumentException("ring size " + size);
        this.fd = mapFd;
        this.pageSize = LibC.pageSize();
        this.size = size;
        this.mask = size - 1;
        this.publishBytes = Math.max(4096, size / 8);
        consumerMem = LibC.mmap(pageSize, LibC.PROT_READ | LibC.PROT_WRITE, mapFd, 0);
        try {
            producerMem = LibC.mmap(pageSize + size, LibC.PROT_READ, mapFd, pageSize);
        } catch (BpfException e) {
            LibC.munmap(consumerMem, pageSize);
            throw e;
        }
        consumer = consumerMem.getByteBuffer(0, pageSize).order(ByteOrder.LITTLE_ENDIAN);
        producer = producerMem.getByteBuffer(0, pageSize + size).order(ByteOrder.LITTLE_ENDIAN);
        cons = (long) LONG.getAcquire(consumer, 0);
    }

    /**
     * Hands committed records to {@code sink} until the ring is empty, a record is still being written,
     * {@code maxRecords} were taken, or the sink refuses one. Returns the number of records consumed
     * (discarded ones included).
     */
    public int drain(Sink sink, int maxRecords) {
        int n = 0;
        long prod = (long) LONG.getAcquire(producer, 0), published = cons;
        while (cons < prod && n < maxRecords) {
            int off = (int) (pageSize + (cons & mask));
            int hdr = (int) INT.getAcquire(producer, off);
            if ((hdr & BUSY) != 0) break;
            int len = hdr & ~(BUSY | DISCARD);
            if ((hdr & DISCARD) == 0) {
                // headers are 8-byte aligned and never straddle the end; a record's data may
                int data = off + HDR, tail = pageSize + (int) size - data;
                boolean taken = len <= tail ? sink.accept(producer, data, len) : sink.accept(unwrap(data, tail, len), 0, len);
                if (!taken) break;
            }
            cons += (len + HDR + 7) & ~7L;
            n++;
            // Publishing the position per record would bounce its cache line to every producer's reserve;
            // once per eighth of the ring frees space soon enough.
            if (cons - published >= publishBytes) {
                LONG.setRelease(consumer, 0, cons);
                published = cons;
            }
            if (cons >= prod) prod = (long) LONG.getAcquire(producer, 0);
        }
        if (cons != published) LONG.setRelease(consumer, 0, cons);
        return n;
    }

    private ByteBuffer unwrap(int data, int tail, int len) {
        if (scratch.capacity() < len) scratch = ByteBuffer.allocate(Integer.highestOneBit(len) << 1).order(ByteOrder.LITTLE_ENDIAN);
        scratch.put(0, producer, data, tail);
        scratch.put(tail, producer, pageSize, len - tail);
        return scratch;
    }

    /** Bytes written by producers and not yet consumed. */
    public long pending() {
        return (long) LONG.getAcquire(producer, 0) - cons;
    }

    /** The producer position now: records before it are committed or being written. */
    public long producerPosition() {
        return (long) LONG.getAcquire(producer, 0);
    }

    /** The consumer position: everything before it has been handed to a sink (or discarded). */
    public long consumerPosition() {
        return cons;
    }

    public long capacity() {
        return size;
    }

    /** Blocks until the kernel signals data (a forced wakeup, or data already there) or the timeout passes. */
    public void await(int timeoutMs) {
        LibC.pollIn(pollfd, fd, timeoutMs);
    }

    @Override
    public void close() {
        LibC.munmap(consumerMem, pageSize);
        LibC.munmap(producerMem, pageSize + size);
        pollfd.close();
    }
}
