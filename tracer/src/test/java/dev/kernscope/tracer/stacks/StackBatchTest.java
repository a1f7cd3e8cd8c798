package dev.kernscope.tracer.stacks;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/** Decoding variable-size stack records: fields, ip split, clamping, and no allocation per record. */
class StackBatchTest {
    private static ByteBuffer record(int nk, int nu, int nwk) {
        ByteBuffer b = ByteBuffer.allocateDirect(StackEvent.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(StackEvent.TS, 1000).putLong(StackEvent.WEIGHT, 250).putInt(StackEvent.KIND, StackEvent.OFF_CPU)
                .putInt(StackEvent.CPU, 1).putInt(StackEvent.PID, 42).putInt(StackEvent.TGID, 40)
                .putInt(StackEvent.WAKER_PID, 7).putInt(StackEvent.WAKER_TGID, 7).putInt(StackEvent.NK, nk)
                .putInt(StackEvent.NU, nu).putInt(StackEvent.NWK, nwk).putInt(StackEvent.FLAGS, 0);
        for (int i = 0; i < nk + nu + nwk && i < 3 * StackEvent.MAX_DEPTH; i++) b.putLong(StackEvent.IPS + 8 * i, 100 + i);
        return b;
    }

    @Test
    void decodesHeaderAndSplitsTheIps() {
        StackBatch batch = new StackBatch(4, 1024);
        ByteBuffer r = record(3, 2, 1);
        int len = StackEvent.IPS + 6 * 8;
        assertThat(StackBatch.ipCount(r, 0, len)).isEqualTo(6);
        batch.decode(r, 0, len);
        assertThat(batch.size).isEqualTo(1);
        assertThat(batch.ts[0]).isEqualTo(1000);
        assertThat(batch.endTs(0)).isEqualTo(1250);
        assertThat(batch.pid[0]).isEqualTo(42);
        assertThat(batch.wakerPid[0]).isEqualTo(7);
        assertThat(new int[]{batch.nk[0], batch.nu[0], batch.nwk[0]}).containsExactly(3, 2, 1);
        assertThat(batch.ips).startsWith(100, 101, 102, 103, 104, 105);
    }

    @Test
    void countsBeyondTheRecordLengthAreClamped() {
        StackBatch batch = new StackBatch(4, 1024);
        ByteBuffer r = record(3, 500, 0); // a corrupt nu: only what the record holds is read
        batch.decode(r, 0, StackEvent.IPS + 5 * 8);
        assertThat(batch.nk[0] + batch.nu[0] + batch.nwk[0]).isEqualTo(5);
        assertThat(batch.nk[0]).isEqualTo(3);
    }

    @Test
    void decodingAllocatesNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StackBatch batch = new StackBatch(512, 64 * 1024);
        ByteBuffer r = record(20, 30, 10);
        int len = StackEvent.IPS + 60 * 8;
        for (int i = 0; i < 20_000; i++) { // warm up the JIT
            if (!batch.fits(60)) batch.clear();
            batch.decode(r, 0, len);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            if (!batch.fits(StackBatch.ipCount(r, 0, len))) batch.clear();
            batch.decode(r, 0, len);
        }
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(4096);
    }
}
