package dev.kernscope.tracer.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks a running JVM to write its perf map ({@code jcmd PID Compiler.perfmap}, JDK 17 and later), so that its
 * JIT-compiled methods get names without {@code -XX:+DumpPerfMapAtExit}. The attach API accepts only a client
 * with the JVM's own effective uid and gid, and the JVM is another user's program, so {@code jcmd} runs as that
 * user through {@code setpriv} (no supplementary groups, no new privileges), with an empty environment, from
 * {@code /}, its output discarded, and killed after a time limit. The {@code jcmd} run is
 * our own JDK's, never one found beside the JVM (which the user controls).
 *
 * <p>{@code jcmd} signals its target (SIGQUIT starts HotSpot's attach listener; it would kill most other
 * programs): ask only a process whose current mappings hold {@code libjvm.so}.
 *
 * <p>Stateless and thread-safe.
 */
public final class JvmPerfMaps {
    private static final long TIMEOUT_MS = 10_000;

    private JvmPerfMaps() {}

    /** True when {@code maps} contains HotSpot's {@code libjvm.so}. */
    public static boolean isJvm(ProcessMaps maps) {
        if (maps == null) return false;
        for (ProcessMaps.Mapping m : maps.mappings()) {
            if (m.path() != null && m.path().endsWith("/libjvm.so")) return true;
        }
        return false;
    }

    /** Our JDK's {@code jcmd}, or null when this runtime has none (a JRE). */
    static Path jcmd() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(p) ? p : null;
    }

    /**
     * Runs {@code jcmd PID Compiler.perfmap} as the process's effective uid and gid (read from
     * {@code procRoot/PID/status}); returns whether it finished with status 0 in time.
     */
    public static boolean request(Path procRoot, int pid) {
        Path jcmd = jcmd();
        Path setpriv = Path.of("/usr/bin/setpriv");
        if (jcmd == null || !Files.isExecutable(setpriv) || pid <= 0) return false;
        int[] ids = effectiveIds(procRoot.resolve(Integer.toString(pid)));
        if (ids == null) return false;
        ProcessBuilder pb = new ProcessBuilder(List.of(setpriv.toString(), "--reuid=" + ids[0], "--regid=" + ids[1],
                "--clear-groups", "--no-new-privs", "--", jcmd.toString(), Integer.toString(pid), "Compiler.perfmap"));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("LANG", "C");
        pb.directory(Path.of("/").toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = null;
        try {
            p = pb.start();
            if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) return false;
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /** Effective uid and gid from {@code status} ("Uid:"/"Gid:" real effective saved fs), or null. */
    static int[] effectiveIds(Path procPidDir) {
        int[] ids = {-1, -1};
        try (UntrustedFile f = UntrustedFile.open(procPidDir.resolve("status"), 1 << 20)) {
            f.forEachLine(8192, 1 << 20, line -> {
                int k = line.startsWith("Uid:") ? 0 : line.startsWith("Gid:") ? 1 : -1;
                if (k < 0) return;
                String[] v = line.substring(4).trim().split("\\s+");
                if (v.length >= 2) ids[k] = Integer.parseInt(v[1]);
            });
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return ids[0] >= 0 && ids[1] >= 0 ? ids : null;
    }
}
