package dev.kernscope.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The trace schema: its version and its DDL statements from {@code schema.sql}. Immutable. */
public final class Schema {
    /** Version written into new files; readers accept files up to this version. */
    public static final int VERSION = 1;
    /** Value of meta('application') in every kernscope trace. */
    public static final String APPLICATION = "kernscope";
    /** Version of this build of kernscope, written into meta('kernscope_version'). */
    public static final String KERNSCOPE_VERSION = "0.1.0";

    /** Bucket width of LOD level 0 in ns; each level is four times wider than the one below. */
    public static final long LOD_BASE_NS = 1L << 15;
    /** Number of LOD levels: from 32.8 µs to 4^13 * 32.8 µs (about 2.4 hours) per bucket. */
    public static final int LOD_LEVELS = 14;

    private Schema() {}

    /** Bucket width in ns of LOD level {@code level}. */
    public static long lodBucket(int level) {
        return LOD_BASE_NS << (2 * level);
    }

    /** The CREATE statements of schema.sql, comments stripped, in file order. */
    public static List<String> statements() {
        String sql;
        try (InputStream in = Schema.class.getResourceAsStream("schema.sql")) {
            if (in == null) throw new IllegalStateException("schema.sql missing from the storage jar");
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder clean = new StringBuilder();
        for (String line : sql.split("\n")) {
            int c = line.indexOf("--");
            clean.append(c >= 0 ? line.substring(0, c) : line).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String stmt : clean.toString().split(";")) {
            if (!stmt.isBlank()) out.add(stmt.trim());
        }
        return out;
    }

    /**
     * Tables a feature creates in a trace when it is first used rather than with the schema (their CREATE
     * statements): a file may or may not have them, and opening accepts them only as declared here.
     */
    static final List<String> OPTIONAL_TABLES = List.of(Bookmarks.TABLE);

    /** Secondary indexes, built when a recording finishes (building them during ingest halves its speed). */
    static final List<String> FINISH_INDEXES = List.of(
            "CREATE INDEX IF NOT EXISTS sched_slice_utid ON sched_slice(utid, ts)",
            "CREATE INDEX IF NOT EXISTS wakeup_utid ON wakeup(utid, ts)",
            "CREATE INDEX IF NOT EXISTS wakeup_ts ON wakeup(ts)",
            "CREATE INDEX IF NOT EXISTS migration_ts ON migration(ts)",
            "CREATE INDEX IF NOT EXISTS runq_cpu_ts ON runq_sample(cpu, ts)",
            "CREATE INDEX IF NOT EXISTS stack_sample_ts ON stack_sample(ts)",
            "CREATE INDEX IF NOT EXISTS numa_counter_node ON numa_counter(node, name, ts)",
            "CREATE INDEX IF NOT EXISTS numa_fault_ts ON numa_fault(ts)",
            "CREATE INDEX IF NOT EXISTS numa_decision_ts ON numa_decision(ts)",
            "CREATE INDEX IF NOT EXISTS page_migration_ts ON page_migration(ts)",
            "CREATE INDEX IF NOT EXISTS process_numa_pages_ts ON process_numa_pages(ts)",
            "CREATE INDEX IF NOT EXISTS thread_name_utid ON thread_name(utid, ts)");
}
