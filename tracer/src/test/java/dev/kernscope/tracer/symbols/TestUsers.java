package dev.kernscope.tracer.symbols;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;

/** Unprivileged users for tests, created on demand (idempotent, and tolerant of a concurrent creation). */
final class TestUsers {
    private TestUsers() {}

    /** Makes sure {@code name} exists and returns its uid; skips the test when it cannot be created. */
    static int ensure(String name) throws Exception {
        if (uid(name) < 0) {
            // exit 9: another test created it meanwhile
            int rc = Xq7.run("useradd", "-m", name);
            assumeTrue(rc == 0 || rc == 9, "useradd " + name + " failed (" + rc + ")");
        }
        int uid = uid(name);
        assumeTrue(uid > 0, "no user " + name);
        return uid;
    }

    private static int uid(String name) throws Exception {
        Process p = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 ? Integer.parseInt(out) : -1;
    }
}
