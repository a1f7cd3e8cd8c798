package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundled samples are found, in order, and are real recordings this build can read. */
class SampleTracesTest {
    @Test
    void findsTheRecordedSamplesOfTheRepository() throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        String old = System.getProperty("kernscope.home");
        System.setProperty("kernscope.home", repo.toString());
        try {
            List<SampleTraces.Sample> samples = SampleTraces.findAll();
            assertThat(samples).extracting(s -> s.path().getFileName().toString())
                    .containsExactly("sample.ktrace", "numa-2node.ktrace");
            assertThat(samples).noneMatch(SampleTraces.Sample::synthetic);
            for (SampleTraces.Sample s : samples) {
                try (TraceReader r = TraceReader.open(s.path())) {
                    assertThat(r.meta()).doesNotContainKey("synthetic");
                    assertThat(r.meta().get("end_reason")).isIn("duration", "stopped");
                    assertThat(r.summary().rowCounts().get("sched_slice")).isPositive();
                }
            }
            try (TraceReader r = TraceReader.open(samples.get(0).path())) {
                assertThat(r.summary().rowCounts().get("stack_sample")).as("the main sample has stacks").isPositive();
            }
            try (TraceReader r = TraceReader.open(samples.get(1).path())) {
                assertThat(r.numaNodes()).as("the NUMA sample comes from a two-node machine").hasSize(2);
            }
        } finally {
            if (old == null) System.clearProperty("kernscope.home"); else System.setProperty("kernscope.home", old);
        }
        assertThat(Files.exists(repo.resolve("packaging/samples/record-sample.sh"))).isTrue();
    }
}
