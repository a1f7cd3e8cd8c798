package dev.kernscope.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 11 through {@code kernscope info} and {@code kernscope export}: a copy of the bundled
 * sample that lies fails with exit code 1 and one line on stderr, never a stack trace or a hang.
 */
class DamagedTraceCliTest {
    private static final Path SAMPLE = Path.of("..", "packaging", "samples", "sample.ktrace");

    @TempDir
    Path dir;

    private Path sample(String... sql) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".ktrace");
        Files.copy(SAMPLE, f, StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("PRAGMA writable_schema = ON");
            for (String s : sql) st.execute(s);
        }
        return f;
    }

    /** Runs the command; it must fail with one line naming {@code words}. */
    private static void failsInOneLine(String[] args, String... words) {
        CliTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliTest.run(args));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("kernscope: ").endsWith("\n").contains(words);
        assertThat(r.err().strip()).doesNotContain("\n");
    }

    private void info(Path f, String... words) {
        failsInOneLine(new String[] {"info", f.toString()}, words);
    }

    private void export(Path f, String kind, String... words) {
        String[] args = kind.equals("folded")
                ? new String[] {"export", f.toString(), "--folded", dir.resolve("out.folded").toString(), "--mode", "wall"}
                : new String[] {"export", f.toString(), "--csv", kind, dir.resolve("out.csv").toString()};
        failsInOneLine(args, words);
    }

    @Test
    void stackCyclesFailTheFoldedExport() throws Exception {
        export(sample("UPDATE stack SET parent_id = id WHERE id = (SELECT max(stack_id) FROM stack_sample)"), "folded",
                "is damaged", "stack");
    }

    @Test
    void liesInsidePackedChunksFailTheExports() throws Exception {
        Path utid = sample("UPDATE _slice_chunk SET data = substr(data, 1, 16) || X'ffffff7f' || substr(data, 21)");
        export(utid, "threads", "is damaged", "thread 2147483647");
        export(utid, "slices", "is damaged", "thread 2147483647");
        export(sample("UPDATE _slice_chunk SET data = substr(data, 1, 10)"), "slices", "is damaged", "claiming");
    }

    @Test
    void topologyTimeAndSchemaLiesFailInfo() throws Exception {
        info(sample("UPDATE numa_node SET cpus = '0-2147483647'"), "is damaged", "CPU list");
        info(sample("UPDATE meta SET value = '9223372036854775000' WHERE key = 'end_ts'"), "is damaged", "end_ts");
        info(sample("UPDATE meta SET value = '-9223372036854775000' WHERE key = 'start_ts'"), "is damaged", "start_ts");
        info(sample("ALTER TABLE thread ADD COLUMN g BLOB GENERATED ALWAYS AS (zeroblob(900000000))"), "is damaged", "thread");
        info(sample("UPDATE sqlite_schema SET sql = replace(sql, 'INTEGER', 'TEXT') WHERE name = 'wakeup'"), "is damaged", "wakeup");
    }

    @Test
    void wrongTypesAreReadNotCast() throws Exception {
        Path f = sample("UPDATE process SET parent_upid = 'parent'", "UPDATE wakeup SET run_cpu = 'cpu one'");
        CliTest.Result info = CliTest.run("info", f.toString());
        assertThat(info.code()).as(info.err()).isZero();
        CliTest.Result csv = CliTest.run("export", f.toString(), "--csv", "wakeups", dir.resolve("w.csv").toString());
        assertThat(csv.code()).as(csv.err()).isZero();
    }

    @Test
    void aFifoFailsInfoAtOnce() throws Exception {
        Path fifo = dir.resolve("x.ktrace");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        info(fifo, "x.ktrace", "special file");
    }

    @Test
    void damagedPagesFailTheExport() throws Exception {
        // garbage over the header of the slice chunks' b-tree root page: SQLite finds it only when a query reads it
        Path f = sample();
        long root, pageSize;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_schema "
                     + "WHERE name = '_slice_chunk'")) {
            rs.next();
            root = rs.getLong(1);
            pageSize = rs.getLong(2);
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek((root - 1) * pageSize);
            byte[] junk = new byte[64];
            new java.util.Random(11).nextBytes(junk);
            raf.write(junk);
        }
        export(f, "slices", "damaged");
    }
}
