package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.storage.CpuList;
import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collectors on the machine the tests run on (whatever its node count), checked against sysfs and numactl. */
class NumaHostTest {
    private static final long MB = 1 << 20;
    @TempDir Path dir;

    @Test
    void topologyMatchesSysfsAndNumactl() throws Exception {
        NumaTopology t = NumaTopology.read(SysRoot.HOST);
        Path nodeDir = Path.of("/sys/devices/system/node");
        assumeTrue(Files.isDirectory(nodeDir), "kernel without NUMA");
        for (NumaTopology.Node n : t.nodes()) {
            assertThat(n.cpuList()).isEqualTo(Files.readString(nodeDir.resolve("node" + n.node() + "/cpulist")).strip());
        }
        assertThat(t.online()).isEqualTo(CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/online"))));
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/numactl")), "numactl is not installed");
        String h = exec("numactl", "-H");
        Matcher m = Pattern.compile("available: (\\d+) nodes").matcher(h);
        assertThat(m.find()).isTrue();
        assertThat(t.nodes()).hasSize(Integer.parseInt(m.group(1)));
        for (NumaTopology.Node n : t.nodes()) {
            StringBuilder cpus = new StringBuilder();
            for (int c : n.cpus()) cpus.append(cpus.length() == 0 ? "" : " ").append(c);
            assertThat(h).contains("node " + n.node() + " cpus: " + cpus);
            // numactl prints MemTotal in MiB.
            assertThat(h).contains("node " + n.node() + " size: " + n.memBytes() / MB + " MB");
        }
    }

    @Test
    void countersRiseWhenAChildTouchesMemory() throws Exception {
        NumaTopology t = NumaTopology.read(SysRoot.HOST);
        Path file = dir.resolve("host.ktrace");
        long before, after;
        try (TraceWriter w = TraceWriter.create(file, false); NumaSampler s = new NumaSampler(SysRoot.HOST, t)) {
            before = System.nanoTime();
            s.sample(before, w);
            Process child = child(200);
            child.getOutputStream().close();
            assertThat(child.waitFor()).isZero();
            after = System.nanoTime();
            s.sample(after, w);
            w.finish(after, "test");
        }
        try (TraceReader r = TraceReader.open(file)) {
            NumaQueries q = new NumaQueries(r);
            long hit = 0, local = 0;
            for (NumaTopology.Node n : t.nodes()) {
                hit += q.counterIncrease(n.node(), "numa_hit", 0, after + 1);
                local += q.counterIncrease(n.node(), "local_node", 0, after + 1);
            }
            long pages = 200 * MB / 4096;
            assertThat(hit).as("numa_hit over all nodes").isGreaterThan(pages * 9 / 10);
            assertThat(local).as("local_node over all nodes").isGreaterThan(pages * 9 / 10);
            assertThat(q.counterIncrease(-1, "numa_hit", 0, after + 1)).as("vmstat numa_hit").isGreaterThan(pages * 9 / 10);
            assertThat(q.counterSeries(t.nodes().get(0).node(), "MemFree", before, after + 1, 10).size()).isEqualTo(2);
        }
    }

    @Test
    void numaMapsOfAChildShowItsPagesOnTheCpusNode() throws Exception {
        NumaTopology t = NumaTopology.read(SysRoot.HOST);
        assumeTrue(t.nodes().size() == 1, "on several nodes the child's memory may spread");
        Process child = child(64);
        try {
            ProcessNumaSampler s = new ProcessNumaSampler(SysRoot.HOST, t, pid -> pid, null, 8);
            long[] pages = new long[t.nodes().get(0).node() + 1];
            assertThat(s.pagesOf((int) child.pid(), pages)).isTrue();
            assertThat(pages[t.nodes().get(0).node()]).isGreaterThanOrEqualTo(64 * MB / 4096);
            // The child holds more than 64 MiB resident, so it is among the top processes by RSS.
            assertThat(s.topByRss(64)).contains((int) child.pid());
        } finally {
            child.getOutputStream().close();
            child.waitFor();
        }
    }

    /** Starts {@link TouchChild} touching {@code mb} MiB and waits until it has. */
    private static Process child(int mb) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:MaxDirectMemorySize=" + (mb + 16) + "m", "-cp", System.getProperty("java.class.path"),
                TouchChild.class.getName(), Integer.toString(mb)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertThat(in.readLine()).isEqualTo("ready");
        return p;
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
