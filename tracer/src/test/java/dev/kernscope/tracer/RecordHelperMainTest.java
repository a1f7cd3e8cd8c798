package dev.kernscope.tracer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static dev.kernscope.tracer.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The privileged helper's fixed grammar: what it accepts, and that nothing else gets through. */
class RecordHelperMainTest {
    static RecordCommand parse(String... args) {
        return RecordHelperMain.parse(args);
    }

    @Test
    void acceptsEveryOptionWithBoundedValues() {
        RecordCommand c = parse("-o", "/home/u/t.ktrace", "-d", "2.5", "--cpus", "0-3,8", "--pid", "42", "--buffer", "64",
                "--freq", "199", "--min-block-us", "0", "--no-stacks", "--force", "--stop-on-stdin-eof", "--verbose");
        assertThat(c.output).isEqualTo(Path.of("/home/u/t.ktrace"));
        assertThat(c.duration).isEqualTo(2.5);
        assertThat(c.cpus).isEqualTo("0-3,8");
        assertThat(c.pid).isEqualTo(42);
        assertThat(c.bufferMb).isEqualTo(64);
        assertThat(c.freqHz).isEqualTo(199);
        assertThat(c.minBlockUs).isZero();
        assertThat(c.noStacks && c.force && c.stopOnStdinEof && c.verbose).isTrue();
        assertThat(c.metaArgs).containsExactly("-o", "/home/u/t.ktrace", "-d", "2.5", "--cpus", "0-3,8", "--pid", "42",
                "--buffer", "64", "--freq", "199", "--min-block-us", "0", "--no-stacks", "--force", "--stop-on-stdin-eof", "--verbose");
        RecordCommand d = parse("-o", "/t.ktrace");
        assertThat(d.bufferMb).isEqualTo(16);
        assertThat(d.freqHz).isEqualTo(99);
        assertThat(d.duration).isZero();
    }

    @Test
    void refusesEverythingOutsideTheGrammar() {
        String[][] bad = {
                {}, {"-o"}, {"-o", "t.ktrace"}, {"-o", "/tmp/"}, {"-o", "/"}, {"-o", "/a", "-o", "/b"},
                {"--output=/tmp/t.ktrace"}, {"-o=/tmp/t"}, {"-o", "/tmp/t", "record"}, {"@/etc/shadow"},
                {"-o", "/tmp/t", "--cpus", "@/etc/shadow"}, {"-o", "/tmp/t", "--cpus", "0-99999"}, {"-o", "/tmp/t", "--cpus", ""},
                {"-o", "/tmp/t", "--cpus", "3-1"}, {"-o", "/tmp/t", "-d", "NaN"}, {"-o", "/tmp/t", "-d", "-1"},
                {"-o", "/tmp/t", "-d", "0"}, {"-o", "/tmp/t", "-d", "1e9"}, {"-o", "/tmp/t", "-d", "999999"},
                {"-o", "/tmp/t", "--buffer", "0"}, {"-o", "/tmp/t", "--buffer", "513"}, {"-o", "/tmp/t", "--freq", "0"},
                {"-o", "/tmp/t", "--pid", "0"}, {"-o", "/tmp/t", "--pid", "-5"}, {"-o", "/tmp/t", "--pid", "99999999999"},
                {"-o", "/tmp/t", "--min-block-us", "-1"}, {"-o", "/tmp/t", "--bpf-object", "/tmp/evil.o"},
                {"-o", "/tmp/t", "--verbose", "--verbose"}, {"-o", "/tmp/t", "-d"},
                {"-o", "/tmp/t", "-d", "1", "-d", "1", "-d", "1", "-d", "1", "-d", "1", "-d", "1", "-d", "1", "-d", "1", "-d", "1",
                        "-d", "1", "-d", "1", "-d", "1"},
        };
        for (String[] args : bad) {
            assertThatThrownBy(() -> parse(args)).as(String.join(" ", args)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Bad usage is one line plus the usage, exit 2, before anything is loaded or created; no file is read. */
    @Test
    void anAtFileIsAValueThatFailsNeverAFileThatIsRead() {
        StringWriter err = new StringWriter();
        int code = RecordHelperMain.run(new String[]{"-o", "/tmp/kernscope-never.ktrace", "--cpus", "@/etc/passwd"},
                new PrintWriter(err));
        assertThat(code).isEqualTo(RecordCommand.NO_PRIVILEGE);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("kernscope-record-helper: --cpus wants a CPU list such as 0-3,8");
        assertThat(lines.get(1)).startsWith("usage: kernscope-record-helper -o ");
        assertThat(err.toString()).doesNotContain("root:");
        assertThat(Path.of("/tmp/kernscope-never.ktrace")).doesNotExist();
    }

    @Test
    void errorsShowAtMostAShortPrintableArgument() {
        String longArg = "--" + "x".repeat(500) + "\n\u001b[2J";
        assertThatThrownBy(() -> parse(longArg)).hasMessage("unknown argument '--xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
        assertThatThrownBy(() -> parse("--a\u001bb")).hasMessage("unknown argument '--a?b'");
    }

    static Process helper(Path log, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RecordHelperMain.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SUDO_") || k.startsWith("PKEXEC_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Under sudo (SUDO_UID/SUDO_GID of nobody), the helper records into nobody's folder, every file is
     * nobody's, and closing stdin finishes the trace; an output nobody could not create fails as it would for them.
     */
    @Test
    void recordsAsTheInvokingUserAndStopsWhenStdinCloses() throws Exception {
        assumeBpf();
        Path base = Files.createTempDirectory("kernscope-helper", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path users = Files.createDirectory(base.resolve("nobody"));
        Files.setAttribute(users, "unix:uid", 65534);
        Files.setAttribute(users, "unix:gid", 65534);
        java.util.Map<String, String> sudo = java.util.Map.of("SUDO_UID", "65534", "SUDO_GID", "65534");
        try {
            Path trace = users.resolve("t.ktrace"), log = base.resolve("log");
            Process p = helper(log, sudo, "-o", trace.toString(), "--no-stacks", "--stop-on-stdin-eof");
            long until = System.nanoTime() + 20_000_000_000L;
            while (!Files.exists(trace) && p.isAlive() && System.nanoTime() < until) Thread.sleep(50);
            Thread.sleep(1000);
            p.getOutputStream().close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            try (var files = Files.list(users)) {
                for (Path f : files.toList()) {
                    assertThat(Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(f.toString()).isEqualTo(65534);
                }
            }
            try (Connection c = open(trace)) {
                assertThat(queryStrings(c, "SELECT value FROM meta WHERE key = 'end_reason'")).containsExactly("stopped");
                assertThat(queryLong(c, "SELECT count(*) FROM sched_slice")).isPositive();
            }

            Path etc = Path.of("/etc/kernscope-helper-test.ktrace");
            Process q = helper(log, sudo, "-o", etc.toString(), "-d", "1", "--no-stacks");
            assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(q.exitValue()).isEqualTo(RecordCommand.FAILED);
            assertThat(Files.readString(log)).contains("cannot create /etc/kernscope-helper-test.ktrace: permission denied");
            assertThat(etc).doesNotExist();
        } finally {
            try (var s = Files.walk(base)) {
                for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}
