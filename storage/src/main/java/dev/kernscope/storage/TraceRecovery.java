package dev.kernscope.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Finishes a trace whose recorder died (SIGKILL, the OOM killer, a logout) and left {@code meta.end_reason =
 * recording} without its {@link RecorderLock}: what was committed stays as it is; the end is the latest
 * committed event, the secondary indexes are built, the WAL folded into the file and {@code end_reason} set to
 * {@code killed}. The LOD mipmaps need nothing: the writer commits its open buckets at every flush.
 * Stateless and thread-safe; one recovery of a file at a time (it holds the file's lock meanwhile).
 */
public final class TraceRecovery {
    private TraceRecovery() {
    }

    /** What {@link #recover} did: the end it set, or the end_reason of a file that needed nothing. */
    public record Result(boolean recovered, long startTs, long endTs, String endReason) {
    }

    /**
     * Finishes {@code path} if its recorder died; leaves a finished trace alone. Fails, changing nothing, if a
     * live recorder still holds the file or the file is not a kernscope trace.
     */
    public static Result recover(Path path) throws IOException {
        if (RecorderLock.isHeld(path)) {
            throw new IOException(path + " is still being recorded (a live recorder holds it): stop that recording first");
        }
        try (RecorderLock lock = RecorderLock.hold(path); TraceReader r = TraceReader.open(path, false)) {
            String why = r.freshMeta().get("end_reason");
            long start = TraceReader.parse(r.freshMeta().get("start_ts"), 0);
            if (!"recording".equals(why)) {
                return new Result(false, start, TraceReader.parse(r.freshMeta().get("end_ts"), start), why);
            }
            long end = Math.max(start, r.lastCommittedTs());
            Connection c = r.connection();
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")) {
                    ps.setString(1, "end_ts");
                    ps.setString(2, Long.toString(end));
                    ps.executeUpdate();
                    ps.setString(1, "end_reason");
                    ps.setString(2, "killed");
                    ps.executeUpdate();
                }
                try (Statement st = c.createStatement()) {
                    st.execute("PRAGMA busy_timeout = 5000");
                    st.execute("PRAGMA temp_store = FILE");
                    for (String ddl : Schema.FINISH_INDEXES) st.execute(ddl);
                    st.execute("PRAGMA analysis_limit = 1000");
                    st.execute("ANALYZE");
                    st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = DELETE")) {
                        rs.next();
                    }
                }
            } catch (SQLException e) {
                throw TraceWriter.storageError("cannot finish " + path, e);
            }
            return new Result(true, start, end, "killed");
        }
    }
}
