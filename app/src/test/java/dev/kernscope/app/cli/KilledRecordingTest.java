package dev.kernscope.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.app.desktop.TraceDocument;
import dev.kernscope.storage.RecorderLock;
import dev.kernscope.storage.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A killed helper leaves a trace that opens: SIGKILL the real recorder mid-recording, then {@code info}, the
 * app's document and {@code recover} read it. Needs root and a BPF-capable kernel.
 */
class KilledRecordingTest {
    @TempDir
    Path dir;

    @Test
    void aHelperKilledMidRecordingLeavesATraceThatOpensAndRecovers() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "recording needs root");
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "recording needs kernel BTF");
        assumeTrue(!"false".equals(System.getProperty("kernscope.test.bpf")), "BPF tests disabled");
        Path trace = dir.resolve("killed.ktrace");
        Process helper = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.kernscope.tracer.RecordMain", "record", "-o", trace.toString(), "--no-stacks")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("err").toFile()).start();
        long committed = 0;
        try {
            // until a few flushes have committed slices (every 250 ms), then kill it mid-recording
            for (int i = 0; i < 150 && committed < 200; i++) {
                Thread.sleep(200);
                assertThat(helper.isAlive()).as(() -> read(dir.resolve("err"))).isTrue();
                if (Files.exists(trace) && RecorderLock.isHeld(trace)) {
                    try (TraceReader r = TraceReader.open(trace)) {
                        committed = r.summary().rowCounts().getOrDefault("sched_slice", 0L);
                    } catch (java.io.IOException e) {
                        committed = 0; // not every table created yet
                    }
                }
            }
            assertThat(committed).as("slices committed while recording").isGreaterThanOrEqualTo(200);
        } finally {
            helper.destroyForcibly(); // SIGKILL: no handler, no finish
            assertThat(helper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(helper.exitValue()).isEqualTo(128 + 9);
        assertThat(Path.of(trace + "-wal")).as("the committed events are still in the WAL").exists();

        long slices;
        try (TraceReader r = TraceReader.open(trace)) { // read-only
            assertThat(r.meta().get("end_reason")).isEqualTo("recording");
            assertThat(r.recorderDied()).isTrue();
            slices = r.summary().rowCounts().get("sched_slice");
            assertThat(slices).as("every committed slice, at least those seen before the kill").isGreaterThanOrEqualTo(committed);
            assertThat(r.lastCommittedTs()).isGreaterThan(r.bounds()[0]);
        }

        CliTest.Result info = CliTest.run("info", trace.toString());
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.out()).containsPattern("ended +recording ended unexpectedly at [0-9.]+ m?s \\(the recorder died; "
                + "`kernscope recover " + java.util.regex.Pattern.quote(trace.toString()) + "` finishes the file\\)");

        TraceDocument doc = TraceDocument.open(trace, false);
        try {
            assertThat(doc.isLive()).as("a dead recording is not followed as live").isFalse();
            assertThat(doc.recorderDied()).isTrue();
            assertThat(doc.endWords()).startsWith("recording ended unexpectedly at ");
        } finally {
            doc.close();
        }

        CliTest.Result rec = CliTest.run("recover", trace.toString());
        assertThat(rec.code()).as(rec.err()).isZero();
        assertThat(rec.out()).startsWith("recovered " + trace + ": the recording ended unexpectedly at ")
                .contains("end_reason=killed");
        assertThat(Path.of(trace + "-wal")).as("folded into one self-contained file").doesNotExist();
        try (TraceReader r = TraceReader.open(trace)) {
            assertThat(r.meta().get("end_reason")).isEqualTo("killed");
            assertThat(r.recorderDied()).isFalse();
            assertThat(r.summary().rowCounts().get("sched_slice")).as("nothing committed was lost").isEqualTo(slices);
            assertThat(Long.parseLong(r.meta().get("end_ts"))).isEqualTo(r.lastCommittedTs());
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + trace);
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'sched_slice_utid'")) {
            assertThat(rs.next() && rs.getInt(1) == 1).as("indexes built").isTrue();
        }
        CliTest.Result again = CliTest.run("recover", trace.toString());
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("needs no recovery: its recording ended (killed)");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
