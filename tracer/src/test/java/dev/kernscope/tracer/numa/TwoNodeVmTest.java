package dev.kernscope.tracer.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.storage.Model;
import dev.kernscope.storage.NumaQueries;
import dev.kernscope.storage.NumaQueries.ProcessNodePages;
import dev.kernscope.storage.TraceReader;
import dev.kernscope.storage.TraceWriter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Records a real two-node NUMA machine: a qemu TCG guest (node 0 = CPUs 0-1, node 1 = CPUs 2-3, distance
 * 20) booted from Debian's 6.1 kernel with the host's /usr shared read-only (see packaging/numa-vm). Inside,
 * {@link NumaRecordMain} records while a workload first touches 200 MiB on node 1 and is re-pinned to node 0,
 * then another runs with its memory bound to node 1. Asserts directions, not counts: TCG timing varies.
 * Runs as root when qemu-system-x86_64, gcc, numactl and busybox are installed; about two minutes;
 * {@code -Dkernscope.test.vm=false} skips it.
 */
@Tag("vm")
class TwoNodeVmTest {
    private static final long PAGES = 200L * 256; // 200 MiB of 4 KiB pages

    @Test
    void recordsPagesFollowingTheTaskAndBoundMemory() throws Exception {
        assumeTrue(!"false".equals(System.getProperty("kernscope.test.vm")), "disabled with -Dkernscope.test.vm=false");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (9p shares of /usr and /etc)");
        for (String tool : new String[] {"qemu-system-x86_64", "gcc", "numactl", "busybox", "dpkg", "apt-get"}) {
            assumeTrue(onPath(tool), tool + " is not installed (apt-get install -y qemu-system-x86 numactl busybox-static gcc)");
        }
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        assumeTrue(javaHome.startsWith("/usr/"), "the guest runs the JDK from the host's /usr; this one is " + javaHome);
        Path vmDir = findUp("packaging/numa-vm");

        Path out = Path.of("target/numa-vm").toAbsolutePath();
        deleteTree(out);
        Files.createDirectories(out.resolve("cp/classes"));
        run(List.of("gcc", "-O2", "-o", out.resolve("numa-touch").toString(), vmDir.resolve("numa-touch.c").toString()), 60);
        for (Class<?> c : new Class<?>[] {NumaRecordMain.class, TraceWriter.class, org.sqlite.JDBC.class}) {
            Path src = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(src)) copyTree(src, out.resolve("cp/classes"));
            else Files.copy(src, out.resolve("cp").resolve(src.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(vmDir.resolve("guest.sh"), out.resolve("guest.sh"));
        Files.writeString(out.resolve("java-home"), javaHome + "\n");
        Files.writeString(out.resolve("main-class"), NumaRecordMain.class.getName() + "\n");

        long t0 = System.nanoTime();
        int rc = run(List.of(vmDir.resolve("run.sh").toString(), out.toString(), "420"), 480);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        System.out.println("two-node guest ran for " + seconds + " s");
        assertThat(rc).as("guest exit status; guest.log:\n%s\nconsole tail:\n%s", readOr(out.resolve("guest.log")),
                tail(readOr(out.resolve("console.log")), 3000)).isZero();

        Map<String, Long> phase = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("phases"))) {
            String[] p = line.split(" ");
            phase.put(p[0], Math.round(Double.parseDouble(p[1]) * 1e9));
        }
        try (TraceReader r = TraceReader.open(out.resolve("numa.ktrace"))) {
            NumaQueries q = new NumaQueries(r);
            // Topology: two nodes with the CPUs and the distances qemu was given.
            assertThat(r.numaNodes()).extracting(Model.NumaNode::cpus).containsExactly("0-1", "2-3");
            assertThat(r.numaDistances()).containsExactlyInAnyOrder(new Model.Distance(0, 0, 10),
                    new Model.Distance(0, 1, 20), new Model.Distance(1, 0, 20), new Model.Distance(1, 1, 10));
            assertThat(r.cpus()).extracting(Model.Cpu::node).containsExactly(0, 0, 1, 1);
            assertThat(r.meta()).containsEntry("feature.numa_balancing", "on").containsEntry("numa_node_count", "2");

            // Default policy: first touch lands on node 1, then NUMA balancing moves the pages to node 0.
            long touched = phase.get("default-touched"), end = phase.get("default-end");
            assertThat(q.counterIncrease(1, "local_node", phase.get("default-start"), touched))
                    .as("node 1 local allocations during the first touch").isGreaterThan(PAGES / 2);
            assertThat(q.counterIncrease(-1, "numa_hint_faults", touched, end)).as("hinting faults").isGreaterThan(PAGES / 2);
            assertThat(q.counterIncrease(-1, "numa_pages_migrated", touched, end)).as("pages migrated").isGreaterThan(PAGES / 2);
            int upidA = upidOf(r, "ready-a");
            List<ProcessNodePages> a = q.processPagesSeries(upidA, 0, Long.MAX_VALUE);
            long firstN1 = firstSampleAfter(a, touched, 1), lastN0 = last(a, 0), lastN1 = last(a, 1);
            assertThat(firstN1).as("workload pages on node 1 after the first touch").isGreaterThan(PAGES * 9 / 10);
            assertThat(lastN0).as("workload pages on node 0 at its end").isGreaterThan(PAGES * 9 / 10);
            assertThat(lastN1).as("workload pages left on node 1").isLessThan(PAGES / 10);

            // Bound to node 1 from node 0's CPUs: node 1's other_node rises, balancing does not touch it.
            long bs = phase.get("bind-start"), be = phase.get("bind-end");
            assertThat(q.counterIncrease(1, "other_node", bs, be)).as("node 1 other_node").isGreaterThan(PAGES * 9 / 10);
            assertThat(q.counterIncrease(1, "numa_miss", bs, be)).as("node 1 numa_miss").isZero();
            // vmstat counts every process's faults (the recorder's JVM takes a few hundred); the bound workload
            // itself takes none, so the total stays far below its page count. Per-task numa_fault rows from
            // the BPF program will allow asserting zero for its upid.
            assertThat(q.counterIncrease(-1, "numa_hint_faults", bs, be)).as("hinting faults under --membind").isLessThan(PAGES / 20);
            int upidB = upidOf(r, "ready-b");
            List<ProcessNodePages> b = q.processPages(bs, Long.MAX_VALUE).stream().filter(p -> p.upid() == upidB).toList();
            assertThat(b).extracting(ProcessNodePages::pages).satisfies(p -> {
                assertThat(p.get(1)).isGreaterThan(PAGES * 9 / 10);
                assertThat(p.get(0)).isLessThan(PAGES / 10);
            });
        }
    }

    private static int upidOf(TraceReader r, String cmdlinePart) throws IOException {
        return r.processes().stream().filter(p -> p.cmdline() != null && p.cmdline().contains("numa-touch")
                && p.cmdline().contains(cmdlinePart)).mapToInt(Model.Process::upid).findFirst()
                .orElseThrow(() -> new AssertionError("no sampled process runs numa-touch ... " + cmdlinePart));
    }

    private static long firstSampleAfter(List<ProcessNodePages> s, long ts, int node) {
        return s.stream().filter(p -> p.ts() >= ts && p.node() == node).mapToLong(ProcessNodePages::pages).findFirst().orElse(-1);
    }

    private static long last(List<ProcessNodePages> s, int node) {
        return s.stream().filter(p -> p.node() == node).reduce((x, y) -> y).map(ProcessNodePages::pages).orElse(-1L);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    private static Path findUp(String rel) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(rel))) return p.resolve(rel);
        }
        throw new IllegalStateException(rel + " not found above " + Path.of("").toAbsolutePath());
    }

    private static int run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        // Never inheritIO: surefire talks to the forked JVM over its stdio, and qemu would read stdin.
        Path log = Path.of("target/numa-vm-" + Path.of(cmd.get(0)).getFileName() + ".log").toAbsolutePath();
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within " + timeoutSeconds + " s; see " + log);
        }
        if (p.exitValue() != 0) System.out.println(Files.readString(log));
        return p.exitValue();
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path d = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }

    private static String readOr(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(" + p + " missing)";
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }
}
