package dev.kernscope.app.desktop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One recording started from the app, from start to end: starts the helper along a route, waits until its trace
 * opens (handing the opened trace on while the helper still records), stops it, and says how it ended. It knows
 * nothing of windows, so that a test can drive it as an ordinary user through real pkexec or sudo; the window
 * shows what its {@link Listener} is told. Listener calls run on the executor given, in order: at most one
 * {@code opened} or {@code didNotOpen}, then exactly one {@code ended}. Thread-safe.
 *
 * @param <T> what the trace is opened as (the app's TraceDocument; a reader in tests)
 */
public final class Recording<T> {
    /** How the trace is opened once it appears; may fail while the helper is still creating it. */
    @FunctionalInterface
    public interface Opener<T> {
        T open(Path trace) throws IOException;
    }

    /** What a recording tells its owner. */
    public interface Listener<T> {
        /** The trace exists and opened while the helper records on. */
        void opened(T trace);

        /** The trace did not open although the helper runs on (it was stopped then). */
        void didNotOpen(String why);

        void ended(Outcome outcome);
    }

    /**
     * How the helper ended.
     *
     * @param exitCode      the helper's exit code (130/143 when a signal ended it)
     * @param stopRequested whether {@link #stop} was called before it ended
     * @param lastError     the helper's last error line, or ""
     * @param opened        whether {@link Listener#opened} was called
     */
    public record Outcome(Path trace, int exitCode, boolean stopRequested, String lastError, boolean opened) {
        /** A failure unless it exited 0, or was stopped and ended by the signal that stopped it. */
        public boolean failed() {
            boolean signalled = exitCode == 130 || exitCode == 143;
            return exitCode != 0 && !(stopRequested && signalled);
        }

        /** One line for a failure: the helper's last error line, or its exit code. */
        public String why() {
            return lastError.isEmpty() ? "it exited with code " + exitCode : lastError;
        }
    }

    private static final long OPEN_TIMEOUT_MS = 60_000, OPEN_POLL_MS = 100;

    private final RecordingHelper helper;
    private final Path trace;
    private final Executor callbacks;
    private final Listener<T> listener;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean opened;
    private volatile Outcome outcome;

    private Recording(RecordingHelper helper, Path trace, Executor callbacks, Listener<T> listener) {
        this.helper = helper;
        this.trace = trace;
        this.callbacks = callbacks;
        this.listener = listener;
    }

    /**
     * Starts the helper along {@code route} (not MANUAL) and returns at once; the helper may still be waiting
     * for the user's password (pkexec) when it does.
     */
    public static <T> Recording<T> start(RecordingHelper.Options o, RecordingHelper.Route route, Opener<T> opener,
                                         Executor callbacks, Listener<T> listener) throws IOException {
        Recording<T> r = new Recording<>(RecordingHelper.start(o, route), o.output().toAbsolutePath(), callbacks, listener);
        Thread waiter = new Thread(() -> r.awaitOpen(opener), "kernscope-recording-open");
        waiter.setDaemon(true);
        waiter.start();
        return r;
    }

    /** On the waiter thread: opens the trace as soon as it can, then reports the helper's end after that. */
    private void awaitOpen(Opener<T> opener) {
        Process p = helper.process();
        String failure = null;
        long deadline = System.nanoTime() + OPEN_TIMEOUT_MS * 1_000_000;
        while (p.isAlive() && !helper.stopRequested()) {
            if (Files.isRegularFile(trace)) {
                try {
                    T t = opener.open(trace);
                    opened = true;
                    callbacks.execute(() -> listener.opened(t));
                    break;
                } catch (IOException e) {
                    failure = e.getMessage(); // half-created: try again
                }
            }
            if (System.nanoTime() > deadline) {
                String why = failure != null ? failure : "the recorder did not create " + trace + " within a minute";
                callbacks.execute(() -> listener.didNotOpen(why));
                helper.stop();
                break;
            }
            try {
                Thread.sleep(OPEN_POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
        p.onExit().thenRun(() -> {
            outcome = new Outcome(trace, p.exitValue(), helper.stopRequested(), helper.lastStderrLine(), opened);
            callbacks.execute(() -> listener.ended(outcome));
            ended.countDown();
        });
    }

    /** Asks the helper to stop; it finishes the trace and exits (see {@link RecordingHelper#stop}). */
    public void stop() {
        helper.stop();
    }

    public boolean isRunning() {
        return helper.process().isAlive();
    }

    public Path trace() {
        return trace;
    }

    public RecordingHelper helper() {
        return helper;
    }

    /** Waits for the end; the outcome, or null if {@code timeout} passed first. */
    public Outcome awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit) ? outcome : null;
    }
}
