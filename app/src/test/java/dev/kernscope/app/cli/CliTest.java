package dev.kernscope.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: gen → info → export, and one-line errors with the right exit codes. */
class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** picocli would replace {@code @FILE} by FILE's lines; an error message would then show them. */
    @Test
    void atFileArgumentsAreTakenLiterallyNeverRead() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "0-1 SECRET-LINE\n");
        for (String[] args : new String[][]{{"record", "-o", dir.resolve("x.ktrace").toString(), "--cpus", "@" + secret},
                {"info", "@" + secret}}) {
            Result r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isNotZero();
            assertThat(r.out() + r.err()).as(String.join(" ", args)).doesNotContain("SECRET-LINE");
        }
        assertThat(dir.resolve("x.ktrace")).doesNotExist();
    }

    /** Every one-line usage error says "kernscope CMD --help lists the options": that must be true. */
    @Test
    void everySubcommandPrintsItsHelp() {
        for (String cmd : Main.commandLine().getSubcommands().keySet()) {
            if (cmd.equals("help")) continue;
            for (String[] args : new String[][]{{cmd, "--help"}, {"help", cmd}}) {
                Result r = run(args);
                assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
                assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: kernscope " + cmd);
            }
        }
        assertThat(run("export").err()).contains("kernscope export --help lists the options");
    }

    @Test
    void genThenInfoPrintsACorrectSummary() {
        Path t = dir.resolve("t.ktrace");
        Result gen = run("gen", "-o", t.toString(), "--cpus", "8", "--seconds", "2");
        assertThat(gen.code()).as(gen.err()).isZero();
        assertThat(gen.out()).contains("slices on 8 CPUs");
        Result info = run("info", t.toString());
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.out())
                .contains("SYNTHETIC")
                .contains("duration   2.000 s")
                .contains("cpus       8 on 2 NUMA nodes")
                .contains("ended      duration")
                .containsPattern("sched_slice\\s+[1-9][0-9,]+")
                .containsPattern("lost       [0-9,]+ events");
    }

    @Test
    void exportCsvThreadsHasHeaderAndOneRowPerThread() throws Exception {
        Path t = dir.resolve("t.ktrace"), csv = dir.resolve("threads.csv");
        assertThat(run("gen", "-o", t.toString(), "--cpus", "2", "--seconds", "1", "--processes", "3", "--threads", "2").code()).isZero();
        Result r = run("export", t.toString(), "--csv", "threads", csv.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).startsWith("utid,tid,thread,pid,process,runtime_ns,wait_ns");
        assertThat(lines).hasSize(1 + 6);
    }

    @Test
    void aThreadNeverWokenHasEmptyLatencyFieldsNotZero() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        CsvExport.threadRows(List.of(
                new dev.kernscope.storage.Model.ThreadSummary(1, 10, 10, "spin", "p", 900, 0, 0, 0, 0, 0, 0, 1, 0),
                new dev.kernscope.storage.Model.ThreadSummary(2, 11, 10, "io", "p", 100, 50, 3, 7, 8, 9, 9, 4, 1)),
                new Csv(out));
        assertThat(out.toString().split("\r\n")).containsExactly(
                "utid,tid,thread,pid,process,runtime_ns,wait_ns,wakeups,latency_p50_ns,latency_p95_ns,latency_p99_ns,latency_max_ns,switches,migrations",
                "1,10,spin,10,p,900,0,0,,,,,1,0",
                "2,11,io,10,p,100,50,3,7,8,9,9,4,1");
    }

    @Test
    void badFileIsOneLineAndExitCodeOne() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.ktrace"), "not a trace at all, just words. ".repeat(10));
        Result r = run("info", bad.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("kernscope: bad.ktrace is not a kernscope trace: it is not an SQLite database");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("info").code()).isEqualTo(2);
        assertThat(run("export", "x.ktrace", "--csv", "nonsense", "o.csv").code()).isEqualTo(2);
    }
}
