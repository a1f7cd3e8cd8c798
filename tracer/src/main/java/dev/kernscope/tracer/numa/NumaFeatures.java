package dev.kernscope.tracer.numa;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What NUMA observability the kernel offers, written into the trace's meta so that a view can say "not
 * available" instead of showing zeros. Immutable and thread-safe.
 *
 * @param numaBalancing    "on", "off" or "absent" ({@code /proc/sys/kernel/numa_balancing})
 * @param balancingMode    the raw numa_balancing value (1 = normal, 2 = memory tiering, 3 = both), -1 if absent
 * @param tracefs          the tracefs mount used for the tracepoint check, or null if none was found
 * @param schedNumaTps     the {@code sched_*_numa} tracepoints all exist
 * @param migrateTp        {@code migrate:mm_migrate_pages} exists
 * @param btf              {@code /sys/kernel/btf/vmlinux} exists (needed for fentry and tp_btf)
 * @param taskNumaFaultSym {@code task_numa_fault} is a kernel symbol (a candidate for fentry; whether it
 *                         attaches is known only after loading)
 */
public record NumaFeatures(String numaBalancing, int balancingMode, Path tracefs, boolean schedNumaTps,
                           boolean migrateTp, boolean btf, boolean taskNumaFaultSym) {

    private static final String[] SCHED_TPS = {"sched_move_numa", "sched_swap_numa", "sched_stick_numa"};

    /** Detects the features under {@code root}; does not mount anything (see {@link #mountTracefs}). */
    public static NumaFeatures detect(SysRoot root) throws IOException {
        Path nb = root.proc("sys/kernel/numa_balancing");
        int mode = -1;
        String balancing = "absent";
        if (Files.isReadable(nb)) {
            mode = Integer.parseInt(Files.readString(nb).strip());
            balancing = mode == 0 ? "off" : "on";
        }
        Path tracefs = findTracefs(root);
        boolean sched = tracefs != null;
        if (tracefs != null) {
            for (String tp : SCHED_TPS) sched &= Files.isDirectory(tracefs.resolve("events/sched/" + tp));
        }
        boolean migrate = tracefs != null && Files.isDirectory(tracefs.resolve("events/migrate/mm_migrate_pages"));
        boolean btf = Files.exists(root.path("sys/kernel/btf/vmlinux"));
        return new NumaFeatures(balancing, mode, tracefs, sched, migrate, btf, hasSymbol(root, "task_numa_fault"));
    }

    private static Path findTracefs(SysRoot root) {
        for (String rel : new String[] {"sys/kernel/tracing", "sys/kernel/debug/tracing"}) {
            Path p = root.path(rel);
            if (Files.isDirectory(p.resolve("events"))) return p;
        }
        return null;
    }

    /** Mounts tracefs at /sys/kernel/tracing if it is not mounted (root only); true if it is there after. */
    public static boolean mountTracefs() {
        if (Files.isDirectory(Path.of("/sys/kernel/tracing/events"))) return true;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return Files.isDirectory(Path.of("/sys/kernel/tracing/events"));
    }

    private static boolean hasSymbol(SysRoot root, String sym) throws IOException {
        Path kallsyms = root.proc("kallsyms");
        if (!Files.isReadable(kallsyms)) return false;
        String needle = " " + sym;
        try (var lines = Files.lines(kallsyms)) {
            return lines.anyMatch(l -> l.endsWith(needle) || l.contains(needle + "\t"));
        }
    }

    /**
     * The meta rows. {@code feature.task_numa_fault} says "absent" here; the BPF loader overwrites it with
     * "fentry" once the program attached.
     */
    public Map<String, String> meta() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("feature.numa_balancing", numaBalancing);
        if (balancingMode >= 0) m.put("feature.numa_balancing_mode", Integer.toString(balancingMode));
        m.put("feature.sched_numa_tracepoints", schedNumaTps ? "present" : "absent");
        m.put("feature.mm_migrate_pages", migrateTp ? "present" : "absent");
        m.put("feature.btf", btf ? "present" : "absent");
        m.put("feature.task_numa_fault", "absent");
        return m;
    }
}
