package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessNumaSamplerTest {
    @TempDir Path dir;

    @Test
    void numaMapsSummedInBasePagesWithHugePagesScaled() throws IOException {
        SysRoot root = Fixtures.root("two-node");
        ProcessNumaSampler s = new ProcessNumaSampler(root, NumaTopology.read(root), pid -> 0, null, 8);
        long[] pages = new long[2];
        assertThat(s.pagesOf(1234, pages)).isTrue();
        // N0: 3 + 40 + 3; N1: 60 + 4 huge pages of 2 MiB (512 base pages each) + 5.
        assertThat(pages).containsExactly(46, 60 + 4 * 512 + 5);
        assertThat(s.pagesOf(999, pages)).isFalse();
        // an exiting process (its numa_maps already empty) is not sampled: zeros would read as where its pages went
        assertThat(s.pagesOf(4321, pages)).isFalse();
    }

    @Test
    void topByRssSkipsKernelThreadsAndNonPids() throws IOException {
        SysRoot root = Fixtures.root("two-node");
        ProcessNumaSampler s = new ProcessNumaSampler(root, NumaTopology.read(root), pid -> 0, null, 8);
        assertThat(s.topByRss(8)).containsExactly(5678, 1234);
        assertThat(s.topByRss(1)).containsExactly(5678);
    }

    @Test
    void writesOneRowPerNodeForKnownProcesses() throws IOException {
        SysRoot root = Fixtures.root("two-node");
        Path file = dir.resolve("p.ktrace");
        try (TraceWriter w = TraceWriter.create(file, false)) {
            Map<Integer, Integer> upids = new HashMap<>();
            upids.put(1234, w.newProcess(1234, "workload", "workload", 0, 0));
            // 5678 is unknown to the recorder: skipped.
            ProcessNumaSampler s = new ProcessNumaSampler(root, NumaTopology.read(root),
                    pid -> upids.getOrDefault(pid, 0), null, 8);
            s.sample(100, w);
            w.finish(100, "test");
        }
        try (TraceReader r = TraceReader.open(file)) {
            assertThat(new NumaQueries(r).processPages(0, 1000))
                    .extracting(NumaQueries.ProcessNodePages::node, NumaQueries.ProcessNodePages::pages)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 46L),
                            org.assertj.core.groups.Tuple.tuple(1, 2113L));
        }
    }
}
