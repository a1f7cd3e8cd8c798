package dev.kernscope.storage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Named marks (a time) and ranges of a trace that a user saves. They live in the trace itself, in the
 * {@code bookmark} table created on first use (a table {@link TraceFile} accepts as declared here), when the
 * file can be written and is not being recorded; otherwise beside it, in {@code FILE.bookmarks}, a small text
 * file of {@code ts TAB dur TAB name} lines that is read as untrusted input (size, count and values capped)
 * and replaced atomically, never written through a link. Listing reads both places.
 *
 * <p>Not thread-safe: one instance per open trace, used from one thread at a time.
 */
public final class Bookmarks {
    /** The table's declaration: trace files may have it, exactly so. */
    static final String TABLE = """
            CREATE TABLE bookmark (
              id   INTEGER PRIMARY KEY, -- bookmark id
              ts   INTEGER NOT NULL,    -- start (a mark's time), ns on the trace's clock
              dur  INTEGER NOT NULL,    -- 0 for a mark, the range's length otherwise
              name TEXT NOT NULL        -- what the user called it
            )""";
    /** Longest name kept; longer ones are cut. */
    public static final int MAX_NAME = 200;
    /** Most bookmarks read from one place; a file with more is refused. */
    static final int MAX_COUNT = 10_000;
    private static final long MAX_SIDE_BYTES = 1 << 20;
    private static final String SIDE_HEADER = "# kernscope bookmarks 1: ts<TAB>dur<TAB>name, ns on the trace's clock";

    /** A mark ({@code dur} 0) or a range; {@code inTrace} tells where it is stored; ids are per place. */
    public record Bookmark(long id, long ts, long dur, String name, boolean inTrace) {
        public long end() {
            return ts + dur;
        }
    }

    private final Path trace;
    private final Path side;

    private Bookmarks(Path trace) {
        this.trace = trace;
        this.side = Path.of(trace + ".bookmarks");
    }

    /** The bookmarks of the trace at {@code trace} (which must exist). */
    public static Bookmarks of(Path trace) {
        return new Bookmarks(trace.toAbsolutePath());
    }

    /** The file beside the trace that holds bookmarks the trace itself cannot. */
    public Path sideFile() {
        return side;
    }

    /**
     * Whether new bookmarks go into the trace: it and its folder are writable (SQLite writes a journal beside it)
     * and it is not being recorded.
     */
    public boolean savesInTrace() throws IOException {
        Path dir = trace.getParent();
        if (!Files.isWritable(trace) || dir == null || !Files.isWritable(dir)) return false;
        try (TraceReader r = TraceReader.open(trace)) {
            return !r.isLive();
        }
    }

    /** Every bookmark, from the trace and from the file beside it, by time. */
    public List<Bookmark> list() throws IOException {
        List<Bookmark> out = new ArrayList<>();
        try (TraceReader r = TraceReader.open(trace)) {
            synchronized (r) {
                try {
                    if (r.hasTable("bookmark")) {
                        long[] b = r.bounds();
                        try (ResultSet rs = r.stmt("SELECT id, ts, dur, name FROM bookmark ORDER BY ts, id LIMIT " + (MAX_COUNT + 1))
                                .executeQuery()) {
                            while (rs.next()) {
                                if (out.size() == MAX_COUNT) throw r.damaged("it holds more than " + MAX_COUNT + " bookmarks");
                                out.add(checked(r, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), true, b));
                            }
                        }
                    }
                } catch (SQLException e) {
                    throw TraceReader.queryError("bookmarks", e);
                }
            }
        }
        out.addAll(readSide());
        out.sort(Comparator.comparingLong(Bookmark::ts).thenComparingLong(Bookmark::dur).thenComparing(Bookmark::name));
        return out;
    }

    private static Bookmark checked(TraceReader r, long id, long ts, long dur, String name, boolean inTrace, long[] b)
            throws TraceFormatException {
        if (ts < 0 || ts > TraceFile.MAX_TS || dur < 0 || dur > TraceFile.MAX_TS || name == null) {
            throw r.damaged("bookmark " + id + " has an invalid time or name");
        }
        return new Bookmark(id, ts, dur, clean(name), inTrace);
    }

    /** A name as stored: control characters as spaces, stripped, at most {@link #MAX_NAME} characters. */
    static String clean(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_NAME));
        name.codePoints().limit(MAX_NAME).forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        String s = sb.toString().strip();
        return s.isEmpty() ? "bookmark" : s;
    }

    /** Saves a mark ({@code dur} 0) or range where {@link #savesInTrace} says, and returns it. */
    public Bookmark add(long ts, long dur, String name) throws IOException {
        if (ts < 0 || dur < 0 || ts > TraceFile.MAX_TS || dur > TraceFile.MAX_TS) {
            throw new IllegalArgumentException("a bookmark needs a time and a length of 0 or more");
        }
        String n = clean(name);
        if (savesInTrace()) return writeInTrace(ts, dur, n);
        List<Bookmark> all = readSide();
        if (all.size() >= MAX_COUNT) throw new IOException("cannot add a bookmark: " + side + " holds " + MAX_COUNT + " already");
        long id = all.stream().mapToLong(Bookmark::id).max().orElse(0) + 1;
        Bookmark bm = new Bookmark(id, ts, dur, n, false);
        all.add(bm);
        writeSide(all);
        return bm;
    }

    private Bookmark writeInTrace(long ts, long dur, String name) throws IOException {
        TraceFile.Checked f = TraceFile.open(trace, false);
        try {
            try (Statement st = f.conn().createStatement()) {
                st.execute(TABLE.replace("CREATE TABLE bookmark", "CREATE TABLE IF NOT EXISTS bookmark"));
            }
            try (PreparedStatement ps = f.conn().prepareStatement("INSERT INTO bookmark (ts, dur, name) VALUES (?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, ts);
                ps.setLong(2, dur);
                ps.setString(3, name);
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    return new Bookmark(rs.next() ? rs.getLong(1) : -1, ts, dur, name, true);
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot save the bookmark in " + trace.getFileName() + ": " + TraceFile.oneLine(e.getMessage()), e);
        } finally {
            try {
                f.conn().close();
            } catch (SQLException ignored) {
                // closing a connection that wrote nothing more
            }
        }
    }

    /** Removes a bookmark from where it is stored. */
    public void remove(Bookmark b) throws IOException {
        if (!b.inTrace()) {
            List<Bookmark> all = readSide();
            if (all.removeIf(x -> x.id() == b.id())) writeSide(all);
            return;
        }
        TraceFile.Checked f = TraceFile.open(trace, false);
        try (PreparedStatement ps = f.conn().prepareStatement("DELETE FROM bookmark WHERE id = ?")) {
            ps.setLong(1, b.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot remove the bookmark from " + trace.getFileName() + ": " + TraceFile.oneLine(e.getMessage()), e);
        } finally {
            try {
                f.conn().close();
            } catch (SQLException ignored) {
                // as above
            }
        }
    }

    /** The side file's bookmarks; none when it does not exist. */
    private List<Bookmark> readSide() throws IOException {
        List<Bookmark> out = new ArrayList<>();
        if (!Files.exists(side, LinkOption.NOFOLLOW_LINKS)) return out;
        String name = side.getFileName().toString();
        BasicFileAttributes a = Files.readAttributes(side, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) throw new TraceFormatException(name + " is not a regular file: its bookmarks are not read");
        if (a.size() > MAX_SIDE_BYTES) throw new TraceFormatException(name + " is larger than any bookmarks file kernscope writes");
        int no = 0;
        for (String line : new String(Files.readAllBytes(side), StandardCharsets.UTF_8).split("\n")) {
            no++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", 3);
            long ts, dur;
            try {
                ts = Long.parseLong(f[0].strip());
                dur = f.length > 1 ? Long.parseLong(f[1].strip()) : -1;
            } catch (NumberFormatException e) {
                ts = dur = -1;
            }
            if (f.length < 3 || ts < 0 || ts > TraceFile.MAX_TS || dur < 0 || dur > TraceFile.MAX_TS) {
                throw new TraceFormatException(name + ", line " + no + ": not a bookmark (ts, dur, name separated by tabs)");
            }
            if (out.size() == MAX_COUNT) throw new TraceFormatException(name + " holds more than " + MAX_COUNT + " bookmarks");
            out.add(new Bookmark(out.size() + 1, ts, dur, clean(f[2]), false));
        }
        return out;
    }

    /** Replaces the side file with {@code all}: written beside it, then moved over it (a link is replaced, not followed). */
    private void writeSide(List<Bookmark> all) throws IOException {
        Path dir = side.getParent();
        Path tmp = Files.createTempFile(dir, ".bookmarks", ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(SIDE_HEADER);
                w.write('\n');
                for (Bookmark b : all) w.write(b.ts() + "\t" + b.dur() + "\t" + b.name() + "\n");
            }
            try {
                Files.move(tmp, side, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, side, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
