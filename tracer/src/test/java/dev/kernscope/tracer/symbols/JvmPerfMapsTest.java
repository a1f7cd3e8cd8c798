package dev.kernscope.tracer.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Who jcmd would run as, and that a process that is no JVM costs a bounded refusal, not a hang. */
class JvmPerfMapsTest {
    @Test
    void effectiveIdsAreTheProcesssOwn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        assumeTrue(dev.kernscope.tracer.bpf.LibC.geteuid() == 0, "changing ids needs root");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65533", "--clear-groups", "sleep", "20").start();
        try {
            Thread.sleep(300);
            int[] ids = JvmPerfMaps.effectiveIds(Path.of("/proc", Long.toString(p.pid())));
            assertThat(ids).containsExactly(65534, 65533);
            assertThat(JvmPerfMaps.isJvm(ProcessMaps.capture(Path.of("/proc"), (int) p.pid()))).isFalse();
            long t0 = System.nanoTime();
            assertThat(JvmPerfMaps.request(Path.of("/proc"), (int) p.pid())).as("sleep has no attach listener").isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(15_000_000_000L);
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertThat(JvmPerfMaps.effectiveIds(Path.of("/proc", "999999999"))).isNull();
    }
}
