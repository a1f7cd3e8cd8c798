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

/** Bookmarks in the trace's own table, beside a live trace, and what a damaged or planted copy gets. */
class BookmarksTest {
    @TempDir
    Path dir;

    @Test
    void marksAndRangesAreSavedInTheTraceAndItStillOpens() throws IOException {
        Path f = Fixtures.tiny(dir);
        Bookmarks b = Bookmarks.of(f);
        assertThat(b.list()).isEmpty();
        assertThat(b.savesInTrace()).isTrue();
        Bookmarks.Bookmark range = b.add(1000, 500, "slow\trequest\n");
        Bookmarks.Bookmark mark = b.add(200, 0, "start");
        assertThat(range.inTrace()).isTrue();
        assertThat(b.list()).containsExactly(new Bookmarks.Bookmark(mark.id(), 200, 0, "start", true),
                new Bookmarks.Bookmark(range.id(), 1000, 500, "slow request", true));
        assertThat(Files.exists(b.sideFile())).isFalse();
        try (TraceReader r = TraceReader.open(f)) { // the schema check accepts the table as declared
            assertThat(r.threads()).hasSize(3);
        }
        b.remove(mark);
        assertThat(Bookmarks.of(f).list()).extracting(Bookmarks.Bookmark::name).containsExactly("slow request");
    }

    @Test
    void aLiveTraceGetsThemBesideIt() throws IOException {
        Path f = dir.resolve("live.ktrace");
        try (TraceWriter w = TraceWriter.create(f, true)) {
            w.cpu(0, 0, true);
            w.flush();
            Bookmarks b = Bookmarks.of(f);
            assertThat(b.savesInTrace()).isFalse();
            b.add(5, 0, "one");
            Bookmarks.Bookmark two = b.add(7, 3, "two");
            assertThat(two.inTrace()).isFalse();
            assertThat(Files.readString(b.sideFile())).endsWith("5\t0\tone\n7\t3\ttwo\n");
            b.remove(b.list().get(0));
            assertThat(b.list()).containsExactly(new Bookmarks.Bookmark(1, 7, 3, "two", false));
            w.finish(100, "signal");
        }
    }

    @Test
    void damagedOrPlantedBookmarksAreRefusedInOneSentence() throws Exception {
        Path f = Fixtures.tiny(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE bookmark (id INTEGER PRIMARY KEY, ts INTEGER, dur INTEGER, name TEXT, x BLOB)");
        }
        assertThatThrownBy(() -> TraceReader.open(f)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("'bookmark' is not declared as kernscope declares it");

        Path g = Fixtures.tiny(Files.createDirectory(dir.resolve("g")));
        Bookmarks b = Bookmarks.of(g);
        b.add(10, 0, "fine");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + g); Statement st = c.createStatement()) {
            st.execute("UPDATE bookmark SET dur = -5");
        }
        assertThatThrownBy(b::list).isInstanceOf(TraceFormatException.class).hasMessageContaining("is damaged: bookmark");

        Files.writeString(b.sideFile(), "12\tnot-a-number\tx\n");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + g); Statement st = c.createStatement()) {
            st.execute("DELETE FROM bookmark");
        }
        assertThatThrownBy(b::list).isInstanceOf(TraceFormatException.class).hasMessageContaining("line 1: not a bookmark");
        Files.delete(b.sideFile());
        Path target = dir.resolve("elsewhere.txt");
        Files.writeString(target, "keep");
        Files.createSymbolicLink(b.sideFile(), target);
        assertThatThrownBy(b::list).hasMessageContaining("not a regular file");
        assertThat(Files.readString(target)).isEqualTo("keep");
    }
}
