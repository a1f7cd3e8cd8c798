package dev.kernscope.tracer.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.storage.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interns stacks of a real process and the real kernel into a trace and reads the rows back. */
class StackInternerTest {
    @TempDir
    Path dir;

    @Test
    void writesEachFrameAndLinkOnceRootFirstUserAboveKernel() throws Exception {
        Path exe = Xq7.compile(dir, "xq7", "-fPIE", "-pie");
        KernelSymbols k = new Symbolizer().kernel();
        assumeTrue(k.usable(), "kallsyms addresses need root (kptr_restrict)");
        long vfsRead = k.addressOf("vfs_read"), ksysRead = k.addressOf("ksys_read");
        Path trace = dir.resolve("t.ktrace");
        Path perfMaps = dir.resolve("maps");
        Files.createDirectories(perfMaps);
        long lost = 0x10_0000; // in no mapping of the process
        long stackA, stackB, stackC;
        StackInterner in;
        try (TraceWriter w = TraceWriter.create(trace, false); Xq7.Running p = new Xq7.Running(exe)) {
            int upid = w.newProcess(p.pid, "xq7", "xq7", 0, 1);
            in = new StackInterner(w, new Symbolizer(Path.of("/proc"), perfMaps, dir));
            in.processSeen(upid, p.pid, 1);
            // Innermost first, as bpf_get_stack returns them; outer entries are return addresses (+1 here).
            long[] user = {p.getpid + 2, p.fn + 9};
            long[] kernel = {vfsRead + 4, ksysRead + 9};
            stackA = in.intern(upid, p.pid, kernel, 2, user, 2);
            assertThat(in.intern(upid, p.pid, kernel, 2, user, 2)).isEqualTo(stackA);
            stackB = in.intern(upid, p.pid, kernel, 1, user, 2); // shares the user prefix
            stackC = in.intern(upid, p.pid, new long[0], 0, new long[] {lost, p.fn + 9}, 2);
            assertThat(in.intern(0, 0, new long[0], 0, new long[0], 0)).isZero();
            // The JIT code's perf map appears only at the end, as with -XX:+DumpPerfMapAtExit.
            Files.write(perfMaps.resolve("perf-" + p.pid + ".map"), List.of(Long.toHexString(lost - 0x10) + " 40 Foo::bar"));
            in.finish(100, Path.of("/sys/kernel/notes"));
            w.finish(100, "test");
        }
        assertThat(stackA).isNotEqualTo(stackB).isNotEqualTo(stackC);

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + trace)) {
            assertThat(chain(c, stackA)).containsExactly(Xq7.FN, "getpid", "ksys_read", "vfs_read");
            // kernel[] of length 1 holds only the innermost entry, vfs_read.
            assertThat(chain(c, stackB)).containsExactly(Xq7.FN, "getpid", "vfs_read");
            assertThat(chain(c, stackC)).containsExactly(Xq7.FN, "Foo::bar");
            assertThat(count(c, "SELECT count(*) FROM stack")).isEqualTo(6);
            assertThat(count(c, "SELECT count(*) FROM frame")).isEqualTo(5);
            assertThat(count(c, "SELECT count(*) FROM (SELECT name, module, kind FROM frame GROUP BY 1, 2, 3)")).isEqualTo(5);
            assertThat(count(c, "SELECT kind FROM frame WHERE name = 'vfs_read'")).isEqualTo(TraceWriter.FRAME_KERNEL);
            assertThat(count(c, "SELECT kind FROM frame WHERE name = 'Foo::bar'")).isEqualTo(TraceWriter.FRAME_JIT);
            assertThat(count(c, "SELECT count(*) FROM stack WHERE parent_id IS NULL")).isEqualTo(1);
            assertThat(count(c, "SELECT max(depth) FROM stack")).isEqualTo(3);
            Map<String, String> meta = meta(c);
            // 4 + 4 + 3 + 2 occurrences; all resolved (Foo::bar only at finish).
            assertThat(meta).containsEntry("symbols.frames_total", "13").containsEntry("symbols.frames_resolved", "13");
            assertThat(count(c, "SELECT count(*) FROM mapping WHERE upid = 1 AND path LIKE '%xq7'")).isGreaterThan(0);
            assertThat(count(c, "SELECT count(*) FROM mapping WHERE upid = 0 AND path = '[kernel.kallsyms]' "
                    + "AND start = " + k.textStart())).isEqualTo(1);
        }
    }

    private static List<String> chain(Connection c, long leaf) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            long id = leaf;
            int expectDepth = -1;
            while (id != 0) {
                try (ResultSet rs = st.executeQuery("SELECT s.parent_id, f.name, s.depth FROM stack s JOIN frame f "
                        + "ON f.id = s.frame_id WHERE s.id = " + id)) {
                    assertThat(rs.next()).isTrue();
                    id = rs.getLong(1);
                    names.add(0, rs.getString(2));
                    if (expectDepth >= 0) assertThat(rs.getInt(3)).isEqualTo(expectDepth);
                    expectDepth = rs.getInt(3) - 1;
                }
            }
            assertThat(expectDepth).isEqualTo(-1);
        }
        return names;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static Map<String, String> meta(Connection c) throws SQLException {
        Map<String, String> m = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT key, value FROM meta")) {
            while (rs.next()) m.put(rs.getString(1), rs.getString(2));
        }
        return m;
    }
}
