package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class NumaFeaturesTest {
    @Test
    void twoNodeHasEverything() throws IOException {
        NumaFeatures f = NumaFeatures.detect(Fixtures.root("two-node"));
        assertThat(f.meta()).containsEntry("feature.numa_balancing", "on")
                .containsEntry("feature.numa_balancing_mode", "1")
                .containsEntry("feature.sched_numa_tracepoints", "present")
                .containsEntry("feature.mm_migrate_pages", "present")
                .containsEntry("feature.btf", "present")
                .containsEntry("feature.task_numa_fault", "absent");
        assertThat(f.taskNumaFaultSym()).isTrue();
    }

    @Test
    void missingTracepointAndBalancingOff() throws IOException {
        NumaFeatures f = NumaFeatures.detect(Fixtures.root("four-node"));
        assertThat(f.meta()).containsEntry("feature.numa_balancing", "off")
                .containsEntry("feature.sched_numa_tracepoints", "absent")
                .containsEntry("feature.mm_migrate_pages", "present");
    }

    @Test
    void nothingOnAKernelWithoutNuma() throws IOException {
        NumaFeatures f = NumaFeatures.detect(Fixtures.root("no-numa"));
        assertThat(f.meta()).containsEntry("feature.numa_balancing", "absent")
                .containsEntry("feature.sched_numa_tracepoints", "absent")
                .containsEntry("feature.btf", "absent")
                .doesNotContainKey("feature.numa_balancing_mode");
    }
}
