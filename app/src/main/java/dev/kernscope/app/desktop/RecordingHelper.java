package dev.kernscope.app.desktop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts and stops the privileged recording helper ({@code kernscope record -o FILE ...}) for the desktop app,
 * which itself never runs as root: directly when the app already is root (CI), else through {@code pkexec}
 * (polkit policy in packaging/), else {@code sudo -n}; when none works the user is given the one command to
 * run. Keeps the helper's last stderr line to explain a helper that dies. Thread-safe.
 */
public final class RecordingHelper {
    /** What to record; null fields are left to the helper's defaults. */
    public record Options(Path output, Integer seconds, String cpus, Integer pid, int bufferMb) {
        /** The arguments after {@code kernscope}. */
        public List<String> args() {
            List<String> a = new ArrayList<>(List.of("record", "-o", output.toAbsolutePath().toString(), "-f"));
            if (seconds != null) a.addAll(List.of("-d", seconds.toString()));
            if (cpus != null && !cpus.isBlank()) a.addAll(List.of("--cpus", cpus.trim()));
            if (pid != null) a.addAll(List.of("--pid", pid.toString()));
            a.addAll(List.of("--buffer", Integer.toString(bufferMb)));
            return a;
        }
    }

    /** How the helper gets its privileges. */
    public enum Route { DIRECT, PKEXEC, SUDO, MANUAL }

    private final Process process;
    private final Route route;
    private volatile String lastStderr = "";
    private volatile boolean stopRequested;

    private RecordingHelper(Process process, Route route) {
        this.process = process;
        this.route = route;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) lastStderr = line.strip();
                }
            } catch (IOException ignored) {
                // the helper is gone; its exit code tells the rest
            }
        }, "kernscope-helper-stderr");
        t.setDaemon(true);
        t.start();
    }

    /** The command that runs kernscope: the launcher script when known, else this JVM with its class path. */
    public static List<String> launcher() {
        String l = System.getProperty("kernscope.launcher");
        if (l != null && !l.isBlank()) return List.of(l);
        String home = System.getProperty("kernscope.home");
        if (home != null) {
            for (String name : new String[] {"kernscope", "bin/kernscope"}) {
                Path p = Path.of(home, name);
                if (Files.isExecutable(p)) return List.of(p.toAbsolutePath().toString());
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-cp", System.getProperty("java.class.path"), "dev.kernscope.app.Main");
    }

    /** The full helper command line without privilege escalation. */
    public static List<String> command(Options o) {
        List<String> c = new ArrayList<>(launcher());
        c.addAll(o.args());
        return c;
    }

    /** The one command a user can paste into a terminal. */
    public static String manualCommand(Options o) {
        return "sudo " + command(o).stream().map(RecordingHelper::quote).collect(Collectors.joining(" "));
    }

    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=,+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    public static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (Throwable t) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The best route on this machine: direct as root, pkexec on a desktop, passwordless sudo, else manual. */
    public static Route route() {
        if (isRoot()) return Route.DIRECT;
        boolean desktop = System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
        if (desktop && onPath("pkexec")) return Route.PKEXEC;
        if (onPath("sudo") && runs("sudo", "-n", "true")) return Route.SUDO;
        return Route.MANUAL;
    }

    static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(":")) if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    private static boolean runs(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts the helper along {@code route} (not MANUAL). */
    public static RecordingHelper start(Options o, Route route) throws IOException {
        List<String> cmd = new ArrayList<>();
        switch (route) {
            case DIRECT -> { }
            case PKEXEC -> cmd.add("pkexec");
            case SUDO -> cmd.addAll(List.of("sudo", "-n"));
            case MANUAL -> throw new IllegalArgumentException("the manual route is for the user to run");
        }
        cmd.addAll(command(o));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new RecordingHelper(pb.start(), route);
    }

    public Process process() { return process; }
    public Route usedRoute() { return route; }
    public String lastStderrLine() { return lastStderr; }
    public boolean stopRequested() { return stopRequested; }

    /**
     * Asks the helper to stop: SIGINT (as Ctrl-C in a terminal, so it finishes the file), SIGTERM after 5 s.
     * sudo relays both to the helper; a helper started by pkexec runs as root and is also told by closing its
     * standard input. Returns at once; the process' exit tells when it is done.
     */
    public void stop() {
        stopRequested = true;
        if (!process.isAlive()) return;
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread t = new Thread(() -> {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroy();
            } catch (InterruptedException ignored) {
                process.destroy();
            }
        }, "kernscope-helper-stop");
        t.setDaemon(true);
        t.start();
    }
}
