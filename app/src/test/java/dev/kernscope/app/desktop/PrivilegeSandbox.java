package dev.kernscope.app.desktop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * A machine set up as users meet kernscope, for tests run as root: an unprivileged user made for the test,
 * the record-only helper installed root-owned by {@code packaging/install-helper.sh} (from this build's
 * classes, in a folder of its own under /run), a polkit action naming that helper and a rules.d rule that grants
 * it to the user, a sudoers rule for the same, the system D-Bus and polkitd (started if not running).
 * {@link #close} removes all of it and stops only the daemons it started. Not thread-safe.
 */
final class PrivilegeSandbox implements AutoCloseable {
    final String user;
    final int uid;
    final Path home, base, helper, userLib, actionFile, rulesFile, sudoersFile;
    final String actionId;
    private final List<Process> started = new ArrayList<>();
    private long dbusPid = -1;

    /** Why the sandbox cannot be built on this machine, or null. */
    static String missing() {
        if (!RecordingHelper.isRoot()) return "needs root to add a user, install the helper and start polkitd";
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) return "the kernel has no BTF";
        for (String t : new String[]{"/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/bin/pkexec", "/usr/bin/sudo",
                "/usr/bin/dbus-daemon", "/usr/lib/polkit-1/polkitd", "/usr/bin/su"}) {
            if (!Files.isExecutable(Path.of(t))) return t + " is missing (Debian: apt-get install pkexec polkitd dbus sudo)";
        }
        return null;
    }

    PrivilegeSandbox() throws Exception {
        String tag = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
        user = "kstest" + tag;
        actionId = "dev.kernscope.record.test" + tag;
        base = Path.of("/run/kernscope-test-" + tag);
        helper = base.resolve("usr/libexec/kernscope-record-helper");
        userLib = base.resolve("app-lib");
        actionFile = Path.of("/usr/share/polkit-1/actions/" + actionId + ".policy");
        rulesFile = Path.of("/etc/polkit-1/rules.d/49-kernscope-test-" + tag + ".rules");
        sudoersFile = Path.of("/etc/sudoers.d/kernscope-test-" + tag);
        run("/usr/sbin/useradd", "-m", "-s", "/bin/sh", user);
        uid = Integer.parseInt(run("/usr/bin/id", "-u", user).strip());
        home = Path.of(run("/bin/sh", "-c", "getent passwd " + user + " | cut -d: -f6").strip());
        try {
            install();
            grant();
            startDaemons();
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** This build's classes as jars in a root-owned folder, then the helper installed from them. */
    private void install() throws Exception {
        Files.createDirectory(base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jars = Files.createDirectory(base.resolve("jars"));
        Files.createDirectory(userLib);
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            if (Files.isDirectory(p) && p.getParent() != null && p.getParent().getFileName().toString().equals("target")) {
                String module = p.getParent().getParent().getFileName().toString();
                boolean helperModule = name.equals("classes") && (module.equals("tracer") || module.equals("storage"));
                Path jar = (helperModule ? jars : userLib).resolve("kernscope-" + module + "-" + name + ".jar");
                jarUp(p, jar);
            } else if (name.startsWith("kernscope-tracer-") || name.startsWith("kernscope-storage-") || name.startsWith("jna-")
                    || name.startsWith("sqlite-jdbc-") || name.startsWith("picocli-")) {
                Files.copy(p, jars.resolve(name));
            }
        }
        Path repo = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        String out = run(repo.resolve("packaging/install-helper.sh").toString(), "--from", jars.toString(), "--prefix", base.toString());
        if (!out.strip().equals(helper.toString())) throw new AssertionError("install-helper said: " + out);
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                        : p.equals(helper) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void jarUp(Path dir, Path jar) throws IOException {
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new ZipEntry(dir.relativize(f).toString()));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }

    /** The project's polkit policy with this sandbox's action id and helper path; a rule and a sudoers line. */
    private void grant() throws Exception {
        Path repo = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        String policy = Files.readString(repo.resolve("packaging/linux/dev.kernscope.record.policy"))
                .replace("<action id=\"dev.kernscope.record\">", "<action id=\"" + actionId + "\">")
                .replace(">" + RecordingHelper.INSTALLED + "<", ">" + helper + "<");
        if (!policy.contains(actionId) || !policy.contains(helper.toString())) throw new AssertionError("policy template changed");
        Files.writeString(actionFile, policy);
        Files.writeString(rulesFile, "polkit.addRule(function(action, subject) {\n  if (subject.user == \"" + user
                + "\" && action.id == \"" + actionId + "\") return polkit.Result.YES;\n});\n");
        Files.writeString(sudoersFile, user + " ALL=(root) NOPASSWD: " + helper + "\n");
        Files.setPosixFilePermissions(sudoersFile, PosixFilePermissions.fromString("r--r-----"));
        run("/usr/sbin/visudo", "-cf", sudoersFile.toString());
    }

    private void startDaemons() throws Exception {
        if (!systemBusRuns()) { // a bus that died leaves its socket and pid file behind
            Files.createDirectories(Path.of("/run/dbus"));
            Files.deleteIfExists(Path.of("/run/dbus/pid"));
            Files.deleteIfExists(Path.of("/run/dbus/system_bus_socket"));
            dbusPid = Long.parseLong(run("/usr/bin/dbus-daemon", "--system", "--fork", "--print-pid").strip());
        }
        boolean polkitd = ProcessHandle.allProcesses().anyMatch(p -> p.info().command().orElse("").endsWith("/polkitd"));
        if (!polkitd) {
            started.add(new ProcessBuilder("/usr/lib/polkit-1/polkitd", "--no-debug")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        // polkitd reads new actions and rules by itself; wait until it maps our helper to our action
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Result r = asUser("pkexec " + helper + " --cpus @/etc/shadow");
            if (r.code() == 2 && r.out().contains("usage: kernscope-record-helper")) return;
            if (System.nanoTime() > deadline) throw new AssertionError("pkexec never ran the helper: " + r);
            Thread.sleep(300);
        }
    }

    private static boolean systemBusRuns() {
        try {
            long pid = Long.parseLong(Files.readString(Path.of("/run/dbus/pid")).strip());
            return ProcessHandle.of(pid).map(h -> h.info().command().orElse("").endsWith("dbus-daemon")).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    record Result(int code, String out) {}

    /** Runs a shell command line as the sandbox's user (su), stdin empty; its exit code and output. */
    Result asUser(String shellCommand) throws Exception {
        return exec(List.of("/usr/bin/su", "-s", "/bin/sh", user, "-c", shellCommand), 120);
    }

    /** Starts a shell command line as the sandbox's user, output into {@code log}. */
    Process startAsUser(String shellCommand, Path log) throws IOException {
        return new ProcessBuilder("/usr/bin/su", "-s", "/bin/sh", user, "-c", shellCommand)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The command that runs the app's recording class as the user along {@code route}. */
    String driver(String route, Path trace, String mode, int seconds) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "exec " + java + " -Dkernscope.helper=" + helper + " -cp '" + userLib + "/*:" + base.resolve("usr/local/lib/kernscope-record-helper")
                + "/*' " + RecordAsUser.class.getName() + " " + route + " " + trace + " " + mode + " " + seconds;
    }

    static Result exec(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String run(String... cmd) throws Exception {
        Result r = exec(List.of(cmd), 60);
        if (r.code() != 0) throw new AssertionError(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.out());
        return r.out();
    }

    @Override
    public void close() throws Exception {
        for (Path f : new Path[]{actionFile, rulesFile, sudoersFile}) Files.deleteIfExists(f);
        for (Process p : started) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        if (dbusPid > 0) ProcessHandle.of(dbusPid).ifPresent(ProcessHandle::destroy);
        exec(List.of("/usr/sbin/userdel", "-f", "-r", user), 30);
        if (Files.exists(base)) {
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
