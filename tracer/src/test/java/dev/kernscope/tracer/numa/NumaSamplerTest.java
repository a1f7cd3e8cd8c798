package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.NumaQueries.CounterKey;
import dev.kernscope.storage.NumaQueries.CounterSeries;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumaSamplerTest {
    private static final long MS = 1_000_000L;
    @TempDir Path dir;

    @Test
    void countersParsedExactlyWithDeltaAndRate() throws IOException {
        SysRoot root = Fixtures.copy("two-node", dir.resolve("root"));
        Path file = dir.resolve("c.ktrace");
        try (TraceWriter w = TraceWriter.create(file, false);
             NumaSampler s = new NumaSampler(root, NumaTopology.read(root))) {
            s.sample(1000 * MS, w);
            Path numastat = root.path("sys/devices/system/node/node1/numastat");
            Files.writeString(numastat, Files.readString(numastat).replace("other_node 7", "other_node 507"));
            Path vmstat = root.proc("vmstat");
            Files.writeString(vmstat, Files.readString(vmstat).replace("numa_pages_migrated 400", "numa_pages_migrated 1400"));
            Path meminfo = root.path("sys/devices/system/node/node0/meminfo");
            Files.writeString(meminfo, Files.readString(meminfo).replace("524288 kB", "262144 kB"));
            s.sample(1250 * MS, w);
            w.finish(1250 * MS, "test");
        }
        try (TraceReader r = TraceReader.open(file)) {
            NumaQueries q = new NumaQueries(r);
            assertThat(q.counterKeys()).contains(
                    new CounterKey(0, "numa_hit"), new CounterKey(0, "numa_miss"), new CounterKey(0, "numa_foreign"),
                    new CounterKey(0, "interleave_hit"), new CounterKey(0, "local_node"), new CounterKey(1, "other_node"),
                    new CounterKey(0, "MemFree"), new CounterKey(0, "MemUsed"), new CounterKey(0, "MemTotal"),
                    new CounterKey(0, "FilePages"), new CounterKey(-1, "numa_hint_faults"),
                    new CounterKey(-1, "numa_hint_faults_local"), new CounterKey(-1, "numa_pages_migrated"),
                    new CounterKey(-1, "pgmigrate_success"), new CounterKey(-1, "pgmigrate_fail"),
                    new CounterKey(-1, "numa_pte_updates"), new CounterKey(-1, "numa_huge_pte_updates"),
                    new CounterKey(-1, "numa_other"), new CounterKey(-1, "numa_local"));
            // Unwanted lines are not stored.
            assertThat(q.counterKeys()).doesNotContain(new CounterKey(-1, "pgfault"), new CounterKey(0, "Active"),
                    new CounterKey(0, "HugePages_Total"));
            assertThat(q.counterKeys()).hasSize(2 * (6 + 5) + 13);

            CounterSeries other = q.counterSeries(1, "other_node", 0, 2000 * MS, 100);
            assertThat(other.value()).containsExactly(7, 507);
            assertThat(other.delta()).containsExactly(0, 500);
            assertThat(other.rate()).containsExactly(0.0, 2000.0);
            assertThat(q.counterSeries(0, "numa_hit", 0, 2000 * MS, 100).value()).containsExactly(1000, 1000);
            assertThat(q.counterSeries(-1, "numa_pages_migrated", 0, 2000 * MS, 100).delta()).containsExactly(0, 1000);
            CounterSeries free = q.counterSeries(0, "MemFree", 0, 2000 * MS, 100);
            assertThat(free.value()).containsExactly(524288L * 1024, 262144L * 1024);
            assertThat(free.delta()).containsExactly(0, -262144L * 1024);
        }
    }

    @Test
    void fourNodeCountersPerNode() throws IOException {
        SysRoot root = Fixtures.root("four-node");
        Path file = dir.resolve("c4.ktrace");
        try (TraceWriter w = TraceWriter.create(file, false);
             NumaSampler s = new NumaSampler(root, NumaTopology.read(root))) {
            s.sample(5, w);
            w.finish(5, "test");
        }
        try (TraceReader r = TraceReader.open(file)) {
            NumaQueries q = new NumaQueries(r);
            for (int n = 0; n < 4; n++) {
                assertThat(q.counterSeries(n, "numa_hit", 0, 10, 1).value()).containsExactly(1000L * (n + 1));
                assertThat(q.counterSeries(n, "other_node", 0, 10, 1).value()).containsExactly(7L * n);
                assertThat(q.counterSeries(n, "numa_miss", 0, 10, 1).value()).containsExactly(10L * n);
            }
            assertThat(q.counterSeries(3, "MemTotal", 0, 10, 1).value()).containsExactly(8388608L * 1024);
        }
    }
}
