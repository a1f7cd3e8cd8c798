package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not readable traces give one clear line, never a crash or a stack trace in the message. */
class OpenErrorsTest {
    @TempDir
    Path dir;

    private static void assertOneLine(Throwable e, String... fragments) {
        assertThat(e).isInstanceOf(TraceFormatException.class);
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception");
        for (String f : fragments) assertThat(e.getMessage()).contains(f);
    }

    @Test
    void notSqlite() throws IOException {
        Path f = dir.resolve("notes.ktrace");
        Files.writeString(f, "this is just some text that happens to be long enough to fill a header. ".repeat(4));
        assertThatThrownBy(() -> TraceReader.open(f)).satisfies(e -> assertOneLine(e, "notes.ktrace", "not an SQLite database"));
    }

    @Test
    void emptyFile() throws IOException {
        Path f = Files.createFile(dir.resolve("empty.ktrace"));
        assertThatThrownBy(() -> TraceReader.open(f)).satisfies(e -> assertOneLine(e, "not an SQLite database"));
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> TraceReader.open(dir.resolve("nope.ktrace"))).satisfies(e -> assertOneLine(e, "no such file"));
    }

    @Test
    void sqliteOfAnotherApplication() throws Exception {
        Path f = dir.resolve("places.sqlite");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)");
            st.execute("INSERT INTO moz_places(url) VALUES ('https://example.org')");
        }
        assertThatThrownBy(() -> TraceReader.open(f)).satisfies(e -> assertOneLine(e, "another application", "not a kernscope trace"));
    }

    @Test
    void sqliteWithForeignMetaTable() throws Exception {
        Path f = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE meta (key TEXT, value TEXT)");
            st.execute("INSERT INTO meta VALUES ('application', 'someprofiler')");
        }
        assertThatThrownBy(() -> TraceReader.open(f)).satisfies(e -> assertOneLine(e, "another application", "someprofiler"));
    }

    @Test
    void newerSchemaVersion() throws Exception {
        Path f = Fixtures.tiny(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
        }
        assertThatThrownBy(() -> TraceReader.open(f)).satisfies(e -> assertOneLine(e, "newer kernscope", "schema 99", "update kernscope"));
    }

    @Test
    void truncatedTrace() throws Exception {
        Path full = dir.resolve("full.ktrace");
        SyntheticTrace.generate(full, new SyntheticTrace.Params(1, 4, 1, 4, 2, 1.0, 3000, true, false));
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.ktrace");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> TraceReader.open(cut)).satisfies(e -> assertOneLine(e, "cut.ktrace", "damaged", "truncated"));
    }

    @Test
    void corruptPagesAreReportedAsDamagedWhenQueried() throws Exception {
        Path f = dir.resolve("corrupt.ktrace");
        SyntheticTrace.generate(f, new SyntheticTrace.Params(1, 4, 1, 4, 2, 1.0, 3000, false, false));
        byte[] bytes = Files.readAllBytes(f);
        // Scribble over the second half of the file (b-tree pages), keeping its length and header.
        for (int i = bytes.length / 2; i < bytes.length; i++) bytes[i] = (byte) (i * 31);
        Files.write(f, bytes);
        Throwable t = null;
        try (TraceReader r = TraceReader.open(f)) {
            for (int cpu = 0; cpu < 4; cpu++) r.slices(cpu, 0, Long.MAX_VALUE);
            r.summary();
        } catch (IOException e) {
            t = e;
        }
        assertThat(t).as("reading scribbled pages must fail with an error, not return garbage silently").isNotNull();
        assertThat(t.getMessage()).doesNotContain("\n");
    }

    @Test
    void writerRefusesToOverwrite() throws IOException {
        Path f = Fixtures.tiny(dir);
        assertThatThrownBy(() -> TraceWriter.create(f, false)).isInstanceOf(IOException.class).hasMessageContaining("exists");
    }
}
