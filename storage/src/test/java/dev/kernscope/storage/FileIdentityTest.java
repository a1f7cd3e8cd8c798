package dev.kernscope.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A root writer creating files as another user ({@code nobody}, uid 65534): the kernel's permission and link
 * rules apply as for that user, and the files are theirs. Runs as root (CI); skips otherwise.
 */
class FileIdentityTest {
    static final int NOBODY = 65534;
    final FileIdentity nobody = FileIdentity.of(NOBODY, NOBODY);
    Path base, users, roots;

    @BeforeEach
    void dirs() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "switching the file identity needs root");
        // JUnit's @TempDir is 0700 root: nobody could not even look inside it
        base = Files.createTempDirectory("kernscope-fsid", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        users = Files.createDirectory(base.resolve("nobody"));
        Files.setAttribute(users, "unix:uid", NOBODY);
        Files.setAttribute(users, "unix:gid", NOBODY);
        roots = Files.createDirectory(base.resolve("root"));
        Files.setPosixFilePermissions(roots, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void clean() throws IOException {
        if (base == null) return;
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static int owner(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void theTraceAndItsCompanionsBelongToTheUserAndTheThreadGetsRootBack() throws Exception {
        Path t = users.resolve("t.ktrace");
        try (TraceWriter w = TraceWriter.create(t, false, nobody)) {
            assertThat(FileIdentity.currentFsuid()).as("the section ended").isZero();
            assertThat(owner(t)).isEqualTo(NOBODY);
            assertThat(owner(Path.of(t + "-wal"))).isEqualTo(NOBODY);
            assertThat(owner(Path.of(t + "-shm"))).isEqualTo(NOBODY);
            w.meta("x", "y");
            w.flush();
            w.meta("dropped", "by the rollback");
            w.abandonPending();
            assertThat(FileIdentity.currentFsuid()).isZero();
            w.finish(1, "stopped");
        }
        assertThat(FileIdentity.currentFsuid()).isZero();
        assertThat(owner(t)).isEqualTo(NOBODY);
        try (Stream<Path> s = Files.list(users)) {
            for (Path p : s.toList()) assertThat(owner(p)).as(p.toString()).isEqualTo(NOBODY);
        }
        try (TraceReader r = TraceReader.open(t)) {
            assertThat(r.meta().get("end_reason")).isEqualTo("stopped");
            assertThat(r.meta()).containsEntry("x", "y").doesNotContainKey("dropped");
        }
    }

    @Test
    void aFolderTheUserCannotWriteRefusesAsItWouldRefuseThem() {
        Path t = roots.resolve("x.ktrace");
        assertThatThrownBy(() -> TraceWriter.create(t, true, nobody)).isInstanceOf(IOException.class)
                .hasMessageContaining("permission denied");
        assertThat(t).doesNotExist();
        assertThat(FileIdentity.currentFsuid()).isZero();
        assertThatThrownBy(() -> TraceWriter.create(Path.of("/etc/kernscope-test-x.ktrace"), true, nobody))
                .isInstanceOf(IOException.class);
        assertThat(Path.of("/etc/kernscope-test-x.ktrace")).doesNotExist();
    }

    @Test
    void aDanglingLinkAtTheOutputIsNeverFollowed() throws Exception {
        Path target = roots.resolve("made-by-root");
        Path t = users.resolve("t.ktrace");
        Files.createSymbolicLink(t, target);
        assertThatThrownBy(() -> TraceWriter.create(t, false, nobody)).hasMessageContaining("exists");
        assertThatThrownBy(() -> TraceWriter.create(t, false)).as("not even as root").hasMessageContaining("exists");
        assertThat(target).doesNotExist();
        try (TraceWriter w = TraceWriter.create(t, true, nobody)) { // -f removes the link, not its target
            w.finish(1, "stopped");
        }
        assertThat(target).doesNotExist();
        assertThat(Files.isSymbolicLink(t)).isFalse();
        assertThat(owner(t)).isEqualTo(NOBODY);
    }

    /** SQLite (3.53 here) also refuses links at its companions by itself: this holds both defences to it. */
    @Test
    void linksRacedInAtTheCompanionsReachOnlyWhatTheUserCould() throws Exception {
        Path t = users.resolve("t.ktrace");
        Path victim = Files.writeString(roots.resolve("victim"), "root's\n");
        long mtime = Files.getLastModifiedTime(victim).toMillis();
        Path[] links = {Path.of(t + "-wal"), Path.of(t + "-shm"), Path.of(t + "-journal")};
        Files.createSymbolicLink(links[0], roots.resolve("made-wal"));
        assertThatThrownBy(() -> TraceWriter.create(t, false, nobody)).hasMessageContaining("exists");
        assertThat(t).doesNotExist();
        // a racer that keeps planting links at every companion while the writer creates, commits and finishes
        AtomicBoolean stop = new AtomicBoolean();
        Thread racer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                for (Path l : links) {
                    try {
                        Files.deleteIfExists(l);
                        Files.createSymbolicLink(l, (i & 1) == 0 ? victim : roots.resolve("made" + l.getFileName()));
                    } catch (IOException ignored) {
                        // the writer got there first this round
                    }
                }
            }
        });
        racer.start();
        try {
            for (int round = 0; round < 10; round++) {
                try (TraceWriter w = TraceWriter.create(t, true, nobody)) {
                    w.meta("x", "y");
                    w.flush();
                    w.finish(1, "stopped");
                } catch (IOException expected) {
                    // the user broke their own recording; what matters is what it could not reach
                }
            }
        } finally {
            stop.set(true);
            racer.join();
        }
        assertThat(Files.readString(victim)).isEqualTo("root's\n");
        assertThat(Files.getLastModifiedTime(victim).toMillis()).isEqualTo(mtime);
        assertThat(owner(victim)).isZero();
        try (Stream<Path> s = Files.list(roots)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("victim");
        }
        assertThat(FileIdentity.currentFsuid()).isZero();
    }

    /**
     * SQLite itself refuses a link at the last component of its companions, but not in a folder above them:
     * the user swaps the trace's folder for a link to root's folder mid-recording; leaving WAL mode and
     * closing then open and delete {@code FILE-wal}, {@code -shm} and {@code -journal} by name, in root's
     * folder. As the user, that fails and nothing of root's is touched.
     */
    @Test
    void aFolderSwappedForALinkMidRecordingReachesOnlyWhatTheUserCould() throws Exception {
        Path d = Files.createDirectory(users.resolve("d"));
        Files.setAttribute(d, "unix:uid", NOBODY);
        List<Path> victims = new ArrayList<>();
        for (String c : new String[]{"-wal", "-shm", "-journal"}) victims.add(Files.writeString(roots.resolve("t.ktrace" + c), "root's\n"));
        try (TraceWriter w = TraceWriter.create(d.resolve("t.ktrace"), false, nobody)) {
            w.meta("x", "y");
            w.flush();
            Files.move(d, users.resolve("d2"));
            Files.createSymbolicLink(d, roots);
            w.finish(1, "stopped");
        } catch (IOException expected) {
            // SQLite could not reach its companions as nobody: the user broke their own trace
        }
        for (Path v : victims) {
            assertThat(v).exists();
            assertThat(Files.readString(v)).isEqualTo("root's\n");
            assertThat(owner(v)).isZero();
        }
        try (Stream<Path> s = Files.list(roots)) {
            assertThat(s.count()).isEqualTo(3);
        }
    }

    @Test
    void invokingUserComesFromPkexecOrSudo() throws Exception {
        assertThat(FileIdentity.invokingUser(java.util.Map.of()).switches()).isFalse();
        FileIdentity p = FileIdentity.invokingUser(java.util.Map.of("PKEXEC_UID", "65534"));
        assertThat(p.uid()).isEqualTo(NOBODY);
        assertThat(p.gid()).isEqualTo(NOBODY);
        // sudo's own SUDO_UID wins over a PKEXEC_UID that came through it
        assertThat(FileIdentity.invokingUser(java.util.Map.of("PKEXEC_UID", "0", "SUDO_UID", "65534")).uid()).isEqualTo(NOBODY);
        assertThat(FileIdentity.invokingUser(java.util.Map.of("SUDO_UID", "65534")).uid()).isEqualTo(NOBODY);
        assertThat(FileIdentity.invokingUser(java.util.Map.of("SUDO_UID", "0")).switches()).isFalse();
        assertThatThrownBy(() -> FileIdentity.invokingUser(java.util.Map.of("SUDO_UID", "x"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> FileIdentity.invokingUser(java.util.Map.of("PKEXEC_UID", "2147000000")))
                .hasMessageContaining("not in the user database");
    }
}
