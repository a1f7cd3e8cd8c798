package dev.kernscope.tracer.stacks;

import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.RecordOptions;
import dev.kernscope.tracer.Recorder;
import dev.kernscope.tracer.bpf.LibC;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Shared pieces of the stack tests: skip reasons, workloads, recording, plain JDBC reads. */
final class StacksTestSupport {
    private StacksTestSupport() {
    }

    /** Skips with a visible reason unless BPF tests can run here (root, BTF, not disabled). */
    static void assumeBpf() {
        assumeTrue(!"false".equals(System.getProperty("kernscope.test.bpf")), "BPF tests disabled (-Dkernscope.test.bpf=false)");
        assumeTrue(LibC.geteuid() == 0, "BPF tests need root");
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "BPF tests need kernel BTF at /sys/kernel/btf/vmlinux");
    }

    /** Builds stackstest.c as the stacks need it: no optimization, frame pointers kept. */
    static Path compileWorkload(Path dir) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc"), "the workload needs gcc");
        Path src = dir.resolve("stackstest.c"), bin = dir.resolve("stackstest");
        try (InputStream in = StacksTestSupport.class.getResourceAsStream("stackstest.c")) {
            Files.copy(in, src);
        }
        run("gcc", "-O0", "-fno-omit-frame-pointer", "-g", "-pthread", "-o", bin.toString(), src.toString());
        return bin;
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv("PATH").split(":")) if (Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    /** Runs a command to completion and returns its stdout. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue());
        return out.strip();
    }

    interface Workload {
        void run() throws Exception;
    }

    /** Records while {@code workload} runs; returns the recorder's stack counters. */
    static StackRecorder.Stats record(Path file, RecordOptions opts, Workload workload) throws Exception {
        try (TraceWriter w = TraceWriter.create(file, true)) {
            Recorder r = Recorder.start(opts, w);
            try {
                if (r.stacksError() != null) throw new AssertionError("stacks did not start: " + r.stacksError());
                Thread.sleep(300); // the /proc scan (and its maps captures) and the first flush happen meanwhile
                workload.run();
                Thread.sleep(50);
            } catch (Throwable e) {
                r.stop("error: " + e);
                throw e;
            }
            r.stop("duration");
            return r.stackStats();
        }
    }

    static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    static List<Long> queryLongs(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }

    /** Frame names of a stack chain, innermost first. */
    static List<String> frames(Connection c, long stackId) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "WITH RECURSIVE ch(id, parent_id, frame_id, depth) AS (SELECT id, parent_id, frame_id, depth FROM stack "
                        + "WHERE id = " + stackId + " UNION ALL SELECT s.id, s.parent_id, s.frame_id, s.depth FROM stack s "
                        + "JOIN ch ON s.id = ch.parent_id) SELECT f.name FROM ch JOIN frame f ON f.id = ch.frame_id "
                        + "ORDER BY ch.depth DESC")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
