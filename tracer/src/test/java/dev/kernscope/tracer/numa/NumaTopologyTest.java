package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.storage.CpuList;
import dev.kernscope.storage.Model;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumaTopologyTest {
    @TempDir Path dir;

    @Test
    void twoNodes() throws IOException {
        NumaTopology t = NumaTopology.read(Fixtures.root("two-node"));
        assertThat(t.nodes()).extracting(NumaTopology.Node::node).containsExactly(0, 1);
        assertThat(t.nodes().get(0).cpus()).containsExactly(0, 1);
        assertThat(t.nodes().get(1).cpus()).containsExactly(2, 3);
        assertThat(t.nodes().get(1).memBytes()).isEqualTo(1048576L * 1024);
        assertThat(t.distances()).isDeepEqualTo(new int[][] {{10, 20}, {20, 10}});
        assertThat(t.cpuToNode()).containsExactly(0, 0, 1, 1);
        assertThat(t.distance(1, 0)).isEqualTo(20);
    }

    @Test
    void fourNodesWithMemoryOnlyNodeAndOfflineCpu() throws IOException {
        NumaTopology t = NumaTopology.read(Fixtures.root("four-node"));
        assertThat(t.nodes()).extracting(NumaTopology.Node::cpuList).containsExactly("0-1,8", "2-3", "4-7", "");
        assertThat(t.nodes()).extracting(NumaTopology.Node::memBytes)
                .containsExactly(4194304L * 1024, 4194304L * 1024, 2097152L * 1024, 8388608L * 1024);
        assertThat(t.distance(0, 3)).isEqualTo(22);
        assertThat(t.distance(2, 3)).isEqualTo(16);
        assertThat(t.possible()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(t.online()).containsExactly(0, 1, 2, 3, 4, 5, 6, 8);
        assertThat(t.nodeOf(8)).isEqualTo(0);
        assertThat(t.nodeOf(7)).isEqualTo(2);

        Path file = dir.resolve("t.ktrace");
        try (TraceWriter w = TraceWriter.create(file, false)) {
            t.write(w);
            w.finish(1, "test");
        }
        try (TraceReader r = TraceReader.open(file)) {
            assertThat(r.cpus()).contains(new Model.Cpu(7, 2, false), new Model.Cpu(8, 0, true)).hasSize(9);
            assertThat(r.numaNodes()).extracting(Model.NumaNode::cpus).containsExactly("0-1,8", "2-3", "4-7", "");
            assertThat(r.numaDistances()).hasSize(16).contains(new Model.Distance(1, 2, 22));
            assertThat(r.meta()).containsEntry("numa_node_count", "4").containsEntry("cpu_count", "9");
        }
    }

    @Test
    void kernelWithoutNumaIsOneNode() throws IOException {
        NumaTopology t = NumaTopology.read(Fixtures.root("no-numa"));
        assertThat(t.nodes()).hasSize(1);
        assertThat(t.nodes().get(0).cpus()).containsExactly(0, 1, 2);
        assertThat(t.nodes().get(0).memBytes()).isEqualTo(2048000L * 1024);
        assertThat(t.distances()).isDeepEqualTo(new int[][] {{10}});
    }

    @Test
    void cpuListRoundTrips() {
        assertThat(CpuList.parse("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuList.format(new int[] {0, 1, 2, 3, 8, 10, 11})).isEqualTo("0-3,8,10-11");
        assertThat(CpuList.parse(" \n")).isEmpty();
    }
}
