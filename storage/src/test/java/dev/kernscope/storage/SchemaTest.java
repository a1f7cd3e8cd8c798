package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** schema.sql documents every column, and the reader's table list matches what the writer creates. */
class SchemaTest {
    @TempDir
    Path dir;

    @Test
    void everyColumnHasAComment() throws Exception {
        String sql;
        try (InputStream in = Schema.class.getResourceAsStream("schema.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> undocumented = new ArrayList<>();
        boolean inTable = false;
        for (String line : sql.split("\n")) {
            String t = line.strip();
            if (t.startsWith("CREATE TABLE")) {
                inTable = true;
                continue;
            }
            if (t.startsWith(")")) {
                inTable = false;
                continue;
            }
            if (!inTable || t.isEmpty() || t.startsWith("--") || t.startsWith("PRIMARY KEY")) continue;
            if (!t.contains("--")) undocumented.add(t);
        }
        assertThat(undocumented).as("column lines without a comment").isEmpty();
    }

    @Test
    void rowCountsKeptAtFinishMatchTheTables() throws Exception {
        Path f = dir.resolve("counts.ktrace");
        SyntheticTrace.generate(f, new SyntheticTrace.Params(3, 4, 2, 4, 2, 0.5, 4000, true, true));
        try (TraceReader r = TraceReader.open(f);
             Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            assertThat(r.meta()).containsKey("rows.sched_slice");
            for (java.util.Map.Entry<String, Long> e : r.summary().rowCounts().entrySet()) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + e.getKey())) {
                    rs.next();
                    assertThat(e.getValue()).as(e.getKey()).isEqualTo(rs.getLong(1));
                }
            }
        }
    }

    @Test
    void readerKnowsEveryTable() throws Exception {
        Path f = Fixtures.tiny(dir);
        List<String> tables = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
             ResultSet rs = c.createStatement().executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        List<String> known = new ArrayList<>(TraceReader.TABLES);
        known.addAll(TraceReader.LATER_TABLES);
        assertThat(tables).containsExactlyInAnyOrderElementsOf(known);
    }
}
