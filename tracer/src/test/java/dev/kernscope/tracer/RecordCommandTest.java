package dev.kernscope.tracer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kernscope.tracer.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code kernscope record} as a process: what it stores about itself and how a parent can stop it. */
class RecordCommandTest {
    @TempDir
    Path dir;

    @Test
    void cmdlineIsTheKernscopeCommandQuotedForTheShell() {
        assertThat(RecordCommand.commandLine(List.of("record", "-o", "my trace.ktrace", "-d", "2", "--cpus", "0-3")))
                .isEqualTo("kernscope record -o 'my trace.ktrace' -d 2 --cpus 0-3");
        assertThat(RecordCommand.commandLine(List.of("-o", "it's.ktrace"))).isEqualTo("kernscope record -o 'it'\\''s.ktrace'");
        assertThat(RecordCommand.commandLine(List.of())).isEqualTo("kernscope record");
    }

    @Test
    void closingStdinStopsTheHelperLikeCtrlC() throws Exception {
        assumeBpf();
        Path trace = dir.resolve("stdin.ktrace");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RecordMain.class.getName(), "record",
                "-o", trace.toString(), "--stop-on-stdin-eof"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        Thread.sleep(2000); // JVM start, load and attach
        assertThat(p.isAlive()).as("still recording while stdin is open").isTrue();
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits after stdin closes").isTrue();
        assertThat(p.exitValue()).as(java.nio.file.Files.readString(dir.resolve("out.txt"))).isZero();
        try (Connection c = open(trace)) {
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'end_reason'")).containsExactly("stopped");
            assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'cmdline'"))
                    .containsExactly("kernscope record -o " + trace + " --stop-on-stdin-eof");
            assertThat(queryLong(c, "SELECT count(*) FROM sched_slice")).isPositive();
        }
    }

    @Test
    void execedProcessesGetTheirCommandLine() throws Exception {
        assumeBpf();
        Path trace = dir.resolve("exec.ktrace");
        record(trace, RecordOptions.defaults(), () -> run("sh", "-c", "sleep 0.3; echo done", "ks-arg0"));
        try (Connection c = open(trace)) {
            assertThat(queryStrings(c, "SELECT cmdline FROM process WHERE name = 'sleep'")).contains("sleep 0.3");
        }
    }

    @Test
    void processesGoneBeforeTheRecorderLooksKeepTheirOwnArguments() throws Exception {
        assumeBpf();
        // forty processes of a few hundred microseconds each: all of them exit long before the writer applies
        // their exec (a poll period later), so /proc cannot have their command lines; the exec tracepoint did
        Path trace = dir.resolve("short.ktrace");
        record(trace, RecordOptions.defaults().withStacks(null),
                () -> run("sh", "-c", "i=0; while [ $i -lt 40 ]; do /bin/true ks-short-$i; i=$((i + 1)); done"));
        try (Connection c = open(trace)) {
            List<String> lines = queryStrings(c, "SELECT cmdline FROM process WHERE name = 'true'");
            assertThat(lines).hasSize(40);
            for (int i = 0; i < 40; i++) assertThat(lines).contains("/bin/true ks-short-" + i);
        }
    }
}
