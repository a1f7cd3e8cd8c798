package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.storage.RecorderLock;
import dev.kernscope.storage.TraceReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recording as users do, as an unprivileged user this test creates: the app's {@link Recording} class, run as
 * that user, records through real pkexec (system D-Bus, polkitd, a rules.d rule for the action) and through
 * sudo while a load runs on every CPU; Stop, quitting the app and the app's death each finish the trace, and
 * the trace is the user's. Then the attacks of a hostile user through the helper polkit lets them run: a
 * dangling link at -o, links raced in at -wal/-shm, -o under /etc, {@code --cpus @/etc/shadow}: nothing
 * outside the user's reach is created, changed or shown. Root only (CI); skips with the reason otherwise.
 */
class PrivilegeRoutesTest {
    static PrivilegeSandbox box;
    static final List<Process> load = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        String missing = PrivilegeSandbox.missing();
        assumeTrue(missing == null, missing);
        box = new PrivilegeSandbox();
    }

    @AfterAll
    static void tearDown() throws Exception {
        stopLoad();
        if (box != null) box.close();
    }

    /** A busy loop per CPU, so that the helper records on a machine with no idle CPU. */
    static void startLoad() throws Exception {
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            load.add(new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start());
        }
    }

    static void stopLoad() throws Exception {
        for (Process p : load) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        load.clear();
    }

    /** Records through {@code route} as the user, ends it by {@code mode}, and checks the finished trace. */
    void recordsAndFinishes(String route, String mode) throws Exception {
        Path trace = box.home.resolve(route.toLowerCase() + "-" + mode + ".ktrace");
        Path log = Files.createTempFile("kernscope-route", ".log");
        startLoad();
        try {
            Process app = box.startAsUser(box.driver(route, trace, mode, 2), log);
            assertThat(app.waitFor(150, TimeUnit.SECONDS)).as("the app's recording ended").isTrue();
            String out = Files.readString(log);
            assertThat(out).as(out).contains("opened " + trace);
            assertThat(out).as("the user reads every CPU's lane while it records")
                    .contains("live cpus " + Runtime.getRuntime().availableProcessors());
            assertThat(app.exitValue()).as(out).isZero();
            if (mode.equals("stop")) assertThat(out).contains("ended exit=0 failed=false");
        } finally {
            stopLoad();
            Files.deleteIfExists(log);
        }
        // quit and death leave the helper to finish by itself once its stdin closes
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (RecorderLock.isHeld(trace) && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(RecorderLock.isHeld(trace)).as("the helper finished and let go of the trace").isFalse();
        assertEverythingInHomeIsTheUsers(); // before this root process reads the trace
        try (TraceReader r = TraceReader.open(trace)) {
            assertThat(r.meta().get("end_reason")).isEqualTo("stopped");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + trace); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(DISTINCT cpu), count(*) FROM sched_slice")) {
            rs.next();
            assertThat(rs.getInt(1)).as("slices on every CPU").isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(rs.getLong(2)).isPositive();
        }
    }

    void assertEverythingInHomeIsTheUsers() throws Exception {
        try (Stream<Path> s = Files.walk(box.home)) {
            for (Path p : s.toList()) {
                assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(box.uid);
            }
        }
    }

    @Test
    void pkexecStopFinishesTheUsersTrace() throws Exception {
        recordsAndFinishes("PKEXEC", "stop");
    }

    @Test
    void sudoStopFinishesTheUsersTrace() throws Exception {
        recordsAndFinishes("SUDO", "stop");
    }

    @Test
    void quittingTheAppFinishesThePkexecTrace() throws Exception {
        recordsAndFinishes("PKEXEC", "quit");
    }

    @Test
    void theAppsDeathFinishesTheSudoTrace() throws Exception {
        recordsAndFinishes("SUDO", "die");
    }

    /** What a file outside the user's reach looks like, to compare before and after. */
    record Seen(String sha256, FileTime mtime, Object uid, Object mode) {
        static Seen of(Path p) throws Exception {
            return new Seen(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))),
                    Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS), Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aHostileUserReachesNothingThroughTheHelper() throws Exception {
        Path passwd = Path.of("/etc/passwd"), shadow = Path.of("/etc/shadow");
        Seen passwdBefore = Seen.of(passwd), shadowBefore = Seen.of(shadow);
        String tag = box.user;
        Path made = Path.of("/etc/" + tag + "-made"), madeWal = Path.of("/etc/" + tag + "-made-wal"),
                madeShm = Path.of("/etc/" + tag + "-made-shm"), sudoers = Path.of("/etc/sudoers.d/" + tag);
        String pk = "pkexec " + box.helper + " ";

        // a dangling link at -o: refused without --force; with it the link goes, never its target
        Path link = box.home.resolve("link.ktrace");
        box.asUser("ln -s " + made + " " + link);
        // (refused with the other options that cannot work, exit 2, before anything is loaded)
        PrivilegeSandbox.Result r = box.asUser(pk + "-o " + link + " -d 1 --no-stacks");
        assertThat(r.code()).as(r.out()).isEqualTo(2);
        assertThat(r.out()).contains("exists");
        r = box.asUser(pk + "-o " + link + " -d 1 --no-stacks --force");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(Files.isSymbolicLink(link)).isFalse();

        // -o where only root may write: fails as it would for the user
        for (Path p : new Path[]{Path.of("/etc/" + tag + ".ktrace"), sudoers}) {
            r = box.asUser(pk + "-o " + p + " -d 1 --no-stacks");
            assertThat(r.code()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).contains("permission denied");
            assertThat(p).doesNotExist();
        }

        // --cpus @/etc/shadow is a value, never a file: refused before anything loads, nothing of shadow shown
        r = box.asUser(pk + "-o " + box.home.resolve("s.ktrace") + " --cpus @/etc/shadow");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).contains("--cpus wants a CPU list").doesNotContain("root:").doesNotContain(":0:");
        r = box.asUser(pk + "@/etc/shadow");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).doesNotContain("root:");

        // links raced in at -wal, -shm and -journal while the helper creates, records and finishes
        Path raced = box.home.resolve("race.ktrace");
        Path racerLog = Files.createTempFile("kernscope-racer", ".log");
        Path stop = box.home.resolve("stop-racing");
        Process racer = box.startAsUser("while [ ! -e " + stop + " ]; do ln -sfn " + madeWal + " " + raced + "-wal; ln -sfn " + passwd + " "
                + raced + "-shm; ln -sfn " + madeShm + " " + raced + "-journal; done", racerLog);
        try {
            for (int i = 0; i < 2; i++) box.asUser(pk + "-o " + raced + " -d 1 --no-stacks --force");
        } finally {
            Files.createFile(stop);
            assertThat(racer.waitFor(20, TimeUnit.SECONDS)).as("the racer stopped").isTrue();
            Files.setAttribute(stop, "unix:uid", box.uid);
            Files.deleteIfExists(racerLog);
        }

        for (Path p : new Path[]{made, madeWal, madeShm, sudoers}) assertThat(p).doesNotExist();
        assertThat(Seen.of(passwd)).isEqualTo(passwdBefore);
        assertThat(Seen.of(shadow)).isEqualTo(shadowBefore);
        assertEverythingInHomeIsTheUsers();
    }
}
