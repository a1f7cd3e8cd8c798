package dev.kernscope.tracer;

import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.bpf.LibC;

import java.io.File;
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

/** Shared pieces of the real-kernel tests, here and in {@code stacks}: skip reasons, C workloads, recording, plain JDBC reads. */
public final class KernelTestSupport {
    private KernelTestSupport() {
    }

    /** Skips with a visible reason unless BPF tests can run here (root, BTF, not disabled). */
    public static void assumeBpf() {
        assumeTrue(!"false".equals(System.getProperty("kernscope.test.bpf")), "BPF tests disabled (-Dkernscope.test.bpf=false)");
        assumeTrue(LibC.geteuid() == 0, "BPF tests need root");
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "BPF tests need kernel BTF at /sys/kernel/btf/vmlinux");
    }

    /** Compiles kstest.c once per test class into {@code dir}. */
    static Path compileWorkload(Path dir) throws IOException, InterruptedException {
        return compileC(KernelTestSupport.class, "kstest", dir, "-O2", "-pthread");
    }

    /** Copies the C source {@code name}.c beside {@code owner} into {@code dir} and builds it there with gcc and {@code flags}. */
    public static Path compileC(Class<?> owner, String name, Path dir, String... flags) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc"), "the workload needs gcc");
        Path src = dir.resolve(name + ".c"), bin = dir.resolve(name);
        try (InputStream in = owner.getResourceAsStream(name + ".c")) {
            Files.copy(in, src);
        }
        List<String> cmd = new ArrayList<>(List.of("gcc"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", bin.toString(), src.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("gcc failed: " + out);
        return bin;
    }

    public static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    /** Runs a command to completion and returns its stdout. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue());
        return out.strip();
    }

    public interface Workload {
        void run() throws Exception;
    }

    /** Records while {@code workload} runs and returns the finished trace and the stats. */
    static Recorder.Stats record(Path file, RecordOptions opts, Workload workload) throws Exception {
        try (TraceWriter w = TraceWriter.create(file, true)) {
            Recorder r = Recorder.start(opts, w);
            try {
                Thread.sleep(100); // the /proc scan and first flush happen meanwhile
                workload.run();
                Thread.sleep(50);
            } catch (Exception e) {
                r.stop("error: " + e);
                throw e;
            }
            return r.stop("duration");
        }
    }

    public static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    public static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    static List<String> queryStrings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
