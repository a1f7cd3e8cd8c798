package dev.kernscope.storage;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lock a live recorder holds on its trace file, so that a reader can tell a recording in progress from
 * one whose recorder died (SIGKILL, OOM killer, logout) and left {@code meta.end_reason = recording} behind.
 *
 * <p>It is an exclusive {@code flock(2)} on the trace file itself. Not {@link java.nio.channels.FileChannel#lock}:
 * that is an fcntl (POSIX record) lock, which SQLite uses for its own locking on the same file, and which the
 * kernel drops as soon as the process closes <em>any</em> descriptor of the file (SQLite opens and closes
 * several). A flock belongs to one open file description: SQLite's fcntl locks never meet it, nothing but our
 * own {@link #close} or the death of the process releases it, and the kernel releases it on death whatever
 * the cause. The descriptor is opened close-on-exec, so a child the recorder starts cannot keep it alive.
 *
 * <p>Thread-safe: {@link #hold} and {@link #isHeld} keep no state; one instance is closed once, by its owner.
 */
public final class RecorderLock implements AutoCloseable {
    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    private static final int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    private static final int EINTR = 4, EWOULDBLOCK = 11;

    private interface C extends Library {
        int open(String path, int flags);
        int flock(int fd, int op);
        int close(int fd);
        String strerror(int errnum);
    }

    private static final C C = Native.load("c", C.class);

    private final Path trace;
    private int fd;

    private RecorderLock(Path trace, int fd) {
        this.trace = trace;
        this.fd = fd;
    }

    /**
     * Takes the lock on {@code trace} (which must exist) for the caller, who keeps it until the file is finished.
     * Fails if another live recorder holds it.
     */
    public static RecorderLock hold(Path trace) throws IOException {
        int fd = open(trace);
        int rc = flock(fd, LOCK_EX | LOCK_NB);
        if (rc != 0) {
            C.close(fd);
            if (rc == EWOULDBLOCK) throw new IOException(trace + " is being recorded by another process");
            throw new IOException("cannot lock " + trace + ": " + C.strerror(rc));
        }
        return new RecorderLock(trace, fd);
    }

    /**
     * Whether a live recorder holds the lock on {@code trace}: false once it finished, or died, or if the file
     * cannot be opened (then nobody can be recording into it either, as far as this process can tell).
     */
    public static boolean isHeld(Path trace) {
        int fd;
        try {
            fd = open(trace);
        } catch (IOException e) {
            return false;
        }
        try {
            // A shared lock cannot coexist with the recorder's exclusive one; readers' shared locks coexist.
            int rc = flock(fd, LOCK_SH | LOCK_NB);
            if (rc == 0) flock(fd, LOCK_UN);
            return rc == EWOULDBLOCK;
        } finally {
            C.close(fd);
        }
    }

    /** The trace file this lock is on. */
    public Path trace() {
        return trace;
    }

    /** Releases the lock (a second call does nothing). */
    @Override
    public synchronized void close() {
        if (fd < 0) return;
        C.close(fd); // closing the only descriptor of this open file description releases the flock
        fd = -1;
    }

    private static int open(Path trace) throws IOException {
        if (!Files.isRegularFile(trace)) throw new IOException(trace + " is not a file");
        int fd = C.open(trace.toAbsolutePath().toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw new IOException("cannot open " + trace + ": " + C.strerror(Native.getLastError()));
        return fd;
    }

    /** flock(2), retried on EINTR; 0 or the errno. */
    private static int flock(int fd, int op) {
        while (true) {
            if (C.flock(fd, op) == 0) return 0;
            int errno = Native.getLastError();
            if (errno != EINTR) return errno;
        }
    }
}
