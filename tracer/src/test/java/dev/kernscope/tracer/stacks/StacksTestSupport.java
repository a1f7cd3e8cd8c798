package dev.kernscope.tracer.stacks;

import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.KernelTestSupport;
import dev.kernscope.tracer.KernelTestSupport.Workload;
import dev.kernscope.tracer.RecordOptions;
import dev.kernscope.tracer.Recorder;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static dev.kernscope.tracer.KernelTestSupport.compileC;

/** What only the stack tests need on top of {@link KernelTestSupport}: their workload, recording with stacks, stack reads. */
final class StacksTestSupport {
    private StacksTestSupport() {
    }

    /** Builds stackstest.c as the stacks need it: no optimization, frame pointers kept. */
    static Path compileWorkload(Path dir) throws IOException, InterruptedException {
        return compileC(StacksTestSupport.class, "stackstest", dir, "-O0", "-fno-omit-frame-pointer", "-g", "-pthread");
    }

    /** Records while {@code workload} runs; returns the recorder's stack counters. */
    static StackRecorder.Stats record(Path file, RecordOptions opts, Workload workload) throws Exception {
        try (TraceWriter w = TraceWriter.create(file, true)) {
            Recorder r = Recorder.start(opts, w);
            try {
                if (r.stacksError() != null) throw new AssertionError("stacks did not start: " + r.stacksError());
                Thread.sleep(300); // the /proc scan (and its maps captures) and the first flush happen meanwhile
                workload.run();
                Thread.sleep(50);
            } catch (Throwable e) {
                r.stop("error: " + e);
                throw e;
            }
            r.stop("duration");
            return r.stackStats();
        }
    }

    /** Frame names of a stack chain, innermost first. */
    static List<String> frames(Connection c, long stackId) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "WITH RECURSIVE ch(id, parent_id, frame_id, depth) AS (SELECT id, parent_id, frame_id, depth FROM stack "
                        + "WHERE id = " + stackId + " UNION ALL SELECT s.id, s.parent_id, s.frame_id, s.depth FROM stack s "
                        + "JOIN ch ON s.id = ch.parent_id) SELECT f.name FROM ch JOIN frame f ON f.id = ch.frame_id "
                        + "ORDER BY ch.depth DESC")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
