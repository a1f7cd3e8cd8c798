package dev.kernscope.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecorderLockTest {
    @TempDir
    Path dir;

    @Test
    void heldWhileAWriterIsOpenAndReleasedWhenItCloses() throws Exception {
        Path t = dir.resolve("t.ktrace");
        try (TraceWriter w = TraceWriter.create(t, false)) {
            assertTrue(RecorderLock.isHeld(t));
            assertThrows(IOException.class, () -> RecorderLock.hold(t), "a second recorder is refused");
            w.finish(1, "stopped");
            assertTrue(RecorderLock.isHeld(t), "held until close, after finish");
        }
        assertFalse(RecorderLock.isHeld(t));
        try (RecorderLock l = RecorderLock.hold(t)) {
            assertTrue(RecorderLock.isHeld(t));
        }
        assertFalse(RecorderLock.isHeld(t));
        assertFalse(RecorderLock.isHeld(dir.resolve("missing.ktrace")));
    }

    /** SQLite's own fcntl locks, and a reader closing its connection, neither release nor take the flock. */
    @Test
    void sqliteConnectionsOpeningAndClosingDoNotDropIt() throws Exception {
        Path t = dir.resolve("t.ktrace");
        try (TraceWriter w = TraceWriter.create(t, false)) {
            w.flush();
            for (int i = 0; i < 3; i++) {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t);
                     Statement st = c.createStatement()) {
                    st.executeQuery("SELECT count(*) FROM meta").close();
                }
            }
            assertTrue(RecorderLock.isHeld(t));
            w.meta("x", "y");
            w.flush(); // the writer still commits: the probe's shared flock left nothing behind
        }
        assertFalse(RecorderLock.isHeld(t));
    }

    /** The kernel releases it when the holder dies, whatever the cause: here a SIGKILLed process. */
    @Test
    void releasedWhenTheHolderIsKilled() throws Exception {
        Path t = dir.resolve("t.ktrace");
        Files.writeString(t, "x");
        Process p = new ProcessBuilder(List.of("flock", "-x", t.toString(), "sleep", "60")).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!RecorderLock.isHeld(t) && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(RecorderLock.isHeld(t), "flock(1) holds the same kind of lock");
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            assertEquals(137, p.waitFor(), "killed");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (RecorderLock.isHeld(t) && System.nanoTime() < deadline) Thread.sleep(10);
            assertFalse(RecorderLock.isHeld(t));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
