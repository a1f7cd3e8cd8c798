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
 * Starts and stops the privileged record-only helper ({@code kernscope-record-helper -o FILE ...}) for the
 * desktop app, which itself never runs as root: directly when the app already is root (CI), else through
 * {@code pkexec} (the polkit policy names the installed helper and nothing else), else {@code sudo -n} when
 * sudo lets this user run the helper without a password; when none works the user is given the one command to
 * run. The helper always gets {@code --stop-on-stdin-eof} and its standard input stays open until
 * {@link #stop}: closing it is the one stop signal that reaches a root process from an ordinary user, and the
 * kernel closes it too when the app dies. Keeps the helper's last error line. Thread-safe.
 */
public final class RecordingHelper {
    /** Where the .deb and packaging/install-helper.sh install the helper; the polkit action names this path. */
    public static final Path INSTALLED = Path.of("/usr/libexec/kernscope-record-helper");

    /** What to record; null fields are left to the helper's defaults. */
    public record Options(Path output, Integer seconds, String cpus, Integer pid, int bufferMb) {
        /** The helper's arguments, in its fixed grammar. */
        public List<String> args() {
            List<String> a = new ArrayList<>(List.of("-o", output.toAbsolutePath().toString(), "--force"));
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
    private volatile String lastError = "";
    private volatile boolean stopRequested;

    private RecordingHelper(Process process, Route route) {
        this.process = process;
        this.route = route;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    // the helper follows a bad-usage line with its usage; the first says what was wrong
                    if (!line.isBlank() && !line.startsWith("usage: ")) lastError = line.strip();
                }
            } catch (IOException ignored) {
                // the helper is gone; its exit code tells the rest
            }
        }, "kernscope-helper-stderr");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The installed helper: {@code -Dkernscope.helper} (tests install their own) or {@link #INSTALLED}; null if
     * there is none. Only an installed, root-owned helper is ever run through pkexec or sudo.
     */
    public static Path installed() {
        String p = System.getProperty("kernscope.helper");
        Path helper = p != null && !p.isBlank() ? Path.of(p) : INSTALLED;
        return Files.isExecutable(helper) ? helper : null;
    }

    /**
     * The command that runs the helper along {@code route}: the installed helper; as root in a source checkout
     * (nothing is escalated there), this JVM's class path with the helper's main class.
     */
    static List<String> helperCommand(Route route) {
        Path helper = installed();
        if (helper != null) return List.of(helper.toString());
        if (route != Route.DIRECT) throw new IllegalStateException("no installed helper to run along " + route);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx96m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.kernscope.tracer.RecordHelperMain");
    }

    /** The full command line along {@code route}, escalation included. */
    public static List<String> command(Options o, Route route) {
        List<String> c = new ArrayList<>();
        switch (route) {
            case DIRECT -> { }
            case PKEXEC -> c.add("pkexec");
            case SUDO -> c.addAll(List.of("sudo", "-n"));
            case MANUAL -> throw new IllegalArgumentException("the manual route is for the user to run");
        }
        c.addAll(helperCommand(route));
        c.addAll(o.args());
        c.add("--stop-on-stdin-eof");
        return c;
    }

    /** The one command a user can paste into a terminal (the helper's, or the launcher's record command). */
    public static String manualCommand(Options o) {
        List<String> c = new ArrayList<>(List.of("sudo"));
        Path helper = installed();
        if (helper != null) {
            c.add(helper.toString());
            c.addAll(o.args());
        } else {
            c.addAll(launcher());
            c.add("record");
            c.addAll(o.args());
        }
        return c.stream().map(RecordingHelper::quote).collect(Collectors.joining(" "));
    }

    /** The kernscope launcher (for the manual command when no helper is installed). */
    static List<String> launcher() {
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

    /**
     * The best route on this machine: direct as root; with an installed helper, pkexec on a desktop, else sudo
     * when it runs the helper without asking; else manual.
     */
    public static Route route() {
        if (isRoot()) return Route.DIRECT;
        Path helper = installed();
        if (helper == null) return Route.MANUAL;
        boolean desktop = System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
        if (desktop && onPath("pkexec")) return Route.PKEXEC;
        if (onPath("sudo") && runs("sudo", "-n", "-l", helper.toString())) return Route.SUDO;
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

    /** Starts the helper along {@code route} (not MANUAL), its standard input a pipe this object keeps open. */
    public static RecordingHelper start(Options o, Route route) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(o, route)).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new RecordingHelper(pb.start(), route);
    }

    public Process process() { return process; }
    public Route usedRoute() { return route; }
    /** The helper's last line on stderr other than its usage, or "". */
    public String lastStderrLine() { return lastError; }
    public boolean stopRequested() { return stopRequested; }

    /**
     * Asks the helper to stop and finish its file: closes its standard input (reaches it along every route),
     * then SIGINT as Ctrl-C would (reaches it directly and through sudo, which relays it; pkexec's root
     * process refuses our signals). Returns at once; the process' exit tells when it is done.
     */
    public void stop() {
        stopRequested = true;
        if (!process.isAlive()) return;
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        if (route == Route.PKEXEC) return;
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // stdin's end of file stops it as well
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
