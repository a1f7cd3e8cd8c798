package dev.kernscope.tracer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small best-effort /proc readers: a task that exits meanwhile yields null. Stateless and thread-safe. */
final class ProcFs {
    private ProcFs() {
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String comm(int tgid, int tid) {
        String s = read("/proc/" + tgid + "/task/" + tid + "/comm");
        if (s == null) s = read("/proc/" + tid + "/comm");
        return s == null ? null : s.strip();
    }

    static String cmdline(int pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return cmdline(b, b.length);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The first {@code len} bytes of NUL-separated arguments as one line (NULs as spaces), or null if empty. */
    static String cmdline(byte[] b, int len) {
        int n = len;
        while (n > 0 && b[n - 1] == 0) n--;
        for (int i = 0; i < n; i++) if (b[i] == 0) b[i] = ' ';
        return n == 0 ? null : new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Field of /proc/PID/status as text, e.g. "PPid", or null. */
    static String status(int pid, String key) {
        String s = read("/proc/" + pid + "/status");
        if (s == null) return null;
        for (String line : s.split("\n")) {
            if (line.startsWith(key + ":")) return line.substring(key.length() + 1).strip();
        }
        return null;
    }

    /** utime + stime of /proc/self/stat, in ns. */
    static long selfCpuNs(long ticksPerSec) {
        String s = read("/proc/self/stat");
        if (s == null) return 0;
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
        return ticks * (1_000_000_000L / ticksPerSec);
    }

    /** A "VmRSS"/"VmHWM" line of /proc/self/status, in bytes. */
    static long selfMem(String key) {
        String v = status(ProcessHandle.current().pid() > 0 ? (int) ProcessHandle.current().pid() : 0, key);
        if (v == null) return 0;
        return Long.parseLong(v.replace("kB", "").strip()) * 1024;
    }
}
