package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each attack of issue 11 on the reader APIs the CLI and the app use: a copy of the bundled sample that lies
 * in one way must fail with one line, "… is damaged: …", within seconds and without an Error; a value of a
 * wrong type that can be read safely is read.
 */
class DamagedTraceTest {
    @TempDir
    Path dir;

    /** The sample with {@code sql} applied (writable_schema on, so declarations can be rewritten). */
    private Path sample(String... sql) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".ktrace");
        Files.copy(TraceFuzzTest.SAMPLE, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("PRAGMA writable_schema = ON");
            for (String s : sql) st.execute(s);
        }
        return f;
    }

    /**
     * The sample with {@code update} run on {@code table} while its NOT NULL constraints are lifted, then its
     * declaration restored: a NULL where kernscope never writes one, in a file whose schema looks right.
     */
    private Path sampleWithNulls(String table, String update) throws Exception {
        Path f = sample();
        String ddl;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT sql FROM sqlite_schema WHERE name = '" + table + "'")) {
            rs.next();
            ddl = rs.getString(1);
        }
        String[] steps = {"UPDATE sqlite_schema SET sql = replace(sql, 'NOT NULL', 'NULL') WHERE name = '" + table + "'",
                update, "UPDATE sqlite_schema SET sql = '" + ddl.replace("'", "''") + "' WHERE name = '" + table + "'"};
        for (String step : steps) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
                st.execute("PRAGMA writable_schema = ON");
                st.execute(step);
            }
        }
        return f;
    }

    private static void damaged(ThrowingCallable call, String... words) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                assertThatThrownBy(call).isInstanceOf(TraceFormatException.class).satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").contains(words);
                }));
    }

    /** Opens {@code f} and runs the main queries: the failure must be one TraceFormatException. */
    private static void queriesFail(Path f, String... words) {
        damaged(() -> {
            try (TraceReader r = TraceReader.open(f)) {
                MainQueries.run(r);
            }
        }, words);
    }

    private static String sampledStack = "(SELECT stack_id FROM stack_sample WHERE stack_id IS NOT NULL LIMIT 1)";

    @Test
    void stackParentCyclesFailFlameTreesAndFoldedExport() throws Exception {
        for (Path f : List.of(
                sample("UPDATE stack SET parent_id = id WHERE id = " + sampledStack),
                sample("UPDATE stack SET parent_id = " + sampledStack + " WHERE id = (SELECT parent_id FROM stack WHERE id = " + sampledStack + ")"))) {
            try (TraceReader r = TraceReader.open(f)) {
                long[] b = r.bounds();
                FlameQueries.Filter all = FlameQueries.Filter.of(b[0], b[1] + 1, FlameQueries.Mode.WALL);
                damaged(() -> new FlameQueries(r).tree(all), "is damaged", "stack");
                damaged(() -> new FlameQueries(r).inverted(all), "is damaged", "stack");
                damaged(() -> FoldedStacks.export(r, all, Writer.nullWriter()), "is damaged", "stack");
            }
        }
    }

    @Test
    void overlongStackChainsFail() throws Exception {
        // a chain deeper than any unwinder records: each stack's caller is the one before it
        Path f = sample("DELETE FROM stack",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                        + "INSERT INTO stack SELECT i, CASE WHEN i = 1 THEN NULL ELSE i - 1 END, 1, i - 1 FROM n",
                "UPDATE stack_sample SET stack_id = 5000");
        queriesFail(f, "is damaged", "frames deep");
    }

    @Test
    void outOfRangeThreadOrTimeInsideAPackedChunkFails() throws Exception {
        // the first entry's utid (offset 16 of 24) and its ts (offset 0) in every chunk of the slice table
        String utid = "UPDATE _slice_chunk SET data = substr(data, 1, 16) || X'ffffff7f' || substr(data, 21)";
        String negUtid = "UPDATE _slice_chunk SET data = substr(data, 1, 16) || X'feffffff' || substr(data, 21)";
        String ts = "UPDATE _slice_chunk SET data = X'ffffffffffffff7f' || substr(data, 9)";
        String lodUtid = "UPDATE _slice_lod SET data = substr(data, 1, 24) || X'00000010' || substr(data, 29)";
        String runq = "UPDATE _runq_lod SET data = substr(data, 1, 8) || X'ffffffff' || substr(data, 13)";
        queriesFail(sample(utid), "is damaged", "thread 2147483647");
        queriesFail(sample(negUtid), "is damaged", "thread -2");
        queriesFail(sample(ts), "is damaged", "9223372036854775807");
        queriesFail(sample(lodUtid), "is damaged", "level-of-detail");
        queriesFail(sample(runq), "is damaged", "run-queue");
    }

    @Test
    void nullShortOrMiscountedBlobsFail() throws Exception {
        queriesFail(sampleWithNulls("_slice_chunk", "UPDATE _slice_chunk SET data = NULL"), "is damaged", "without data");
        queriesFail(sample("UPDATE _slice_chunk SET data = substr(data, 1, 10)"), "is damaged", "claiming");
        queriesFail(sample("UPDATE _slice_chunk SET n = n + 1"), "is damaged", "claiming");
        queriesFail(sample("UPDATE _slice_lod SET n = -5"), "is damaged", "claiming");
    }

    @Test
    void hugeOrBrokenNodeCpuListsAreRefusedAtOpen() throws Exception {
        for (String cpus : new String[] {"0-2147483647", "0-65535,0-65535", "x", "5-2"}) {
            Path f = sample("UPDATE numa_node SET cpus = '" + cpus + "'");
            damaged(() -> TraceReader.open(f), "is damaged", "CPU list");
        }
    }

    @Test
    void cpusAndNodesOutsideLinuxLimitsAreRefused() throws Exception {
        damaged(() -> TraceReader.open(sample("UPDATE cpu SET cpu = 2147483647 WHERE cpu = 1")), "is damaged", "CPU 2147483647");
        damaged(() -> TraceReader.open(sample("UPDATE cpu SET node = 77")), "is damaged", "unknown NUMA node");
        damaged(() -> TraceReader.open(sample("UPDATE cpu SET node = 'zero'")), "is damaged", "unknown NUMA node");
    }

    @Test
    void extremeMetaTimesAreRefused() throws Exception {
        damaged(() -> TraceReader.open(sample("UPDATE meta SET value = '9223372036854775000' WHERE key = 'end_ts'")),
                "is damaged", "end_ts");
        damaged(() -> TraceReader.open(sample("UPDATE meta SET value = '-9223372036854775000' WHERE key = 'start_ts'")),
                "is damaged", "start_ts");
        damaged(() -> TraceReader.open(sample("UPDATE meta SET value = 'soon' WHERE key = 'end_ts'")), "is damaged", "end_ts");
        damaged(() -> TraceReader.open(sample("UPDATE meta SET value = '5' WHERE key = 'end_ts'")), "is damaged", "ends");
    }

    @Test
    void generatedColumnsViewsTriggersAndRetypedColumnsAreRefused() throws Exception {
        Path gen = sample("ALTER TABLE thread ADD COLUMN g BLOB GENERATED ALWAYS AS (zeroblob(900000000))");
        assertThat(Files.size(gen)).isLessThan(8 << 20);
        damaged(() -> TraceReader.open(gen), "is damaged", "thread");
        // the same column smuggled in by rewriting the declaration of a column kernscope reads
        damaged(() -> TraceReader.open(sample("UPDATE sqlite_schema SET sql = replace(sql, 'name     TEXT,', "
                + "'name     TEXT GENERATED ALWAYS AS (zeroblob(900000000)),') WHERE name = 'thread'")), "thread");
        damaged(() -> TraceReader.open(sample("UPDATE sqlite_schema SET sql = replace(sql, 'INTEGER', 'TEXT') "
                + "WHERE name = 'migration'")), "is damaged", "migration");
        damaged(() -> TraceReader.open(sample("CREATE VIEW cpus AS SELECT * FROM cpu")), "is damaged", "view");
        damaged(() -> TraceReader.open(sample("CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END")), "is damaged", "trigger");
        damaged(() -> TraceReader.open(sample("DROP TABLE meta", "CREATE VIEW meta AS SELECT 'application' AS key, "
                + "'kernscope' AS value")), "meta table");
    }

    @Test
    void valuesOfTheWrongTypeAreReadOrRefusedNeverCast() throws Exception {
        Path f = sample("UPDATE process SET parent_upid = 'parent'", "UPDATE wakeup SET run_cpu = 'cpu one'",
                "UPDATE frame SET kind = 'user'", "UPDATE thread SET name = X'00ff'");
        try (TraceReader r = TraceReader.open(f)) {
            MainQueries.run(r);
            assertThat(r.processes()).isNotEmpty();
            assertThat(r.wakeups(r.bounds()[0], r.bounds()[1])).isNotEmpty();
        }
        queriesFail(sampleWithNulls("frame", "UPDATE frame SET name = NULL"), "is damaged", "no name");
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("x.ktrace");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        damaged(() -> TraceReader.open(fifo), "x.ktrace", "special file");
        Path link = dir.resolve("link.ktrace");
        Files.createSymbolicLink(link, fifo);
        damaged(() -> TraceReader.open(link), "special file");
        // a genuine trace whose -wal companion is a FIFO: SQLite would open it
        Path t = sample();
        assertThat(new ProcessBuilder("mkfifo", t + "-wal").start().waitFor()).isZero();
        damaged(() -> TraceReader.open(t), "wal file is not a regular file");
    }

    @Test
    void damagedPagesFailAsDamagedTraces() throws Exception {
        // zeros over the middle of the file: b-tree pages SQLite reaches only while querying
        Path f = sample();
        long size = Files.size(f);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(size / 2);
            raf.write(new byte[64 * 1024]);
        }
        queriesFail(f, "damaged");
    }

    @Test
    void theUntouchedSampleOpensAndAnswers() throws Exception {
        try (TraceReader r = TraceReader.open(sample())) {
            MainQueries.run(r);
            assertThat(r.summary().rowCounts().get("sched_slice")).isPositive();
        }
    }
}
