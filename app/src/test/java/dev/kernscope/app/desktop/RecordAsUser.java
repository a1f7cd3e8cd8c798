package dev.kernscope.app.desktop;

import dev.kernscope.storage.TraceReader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The app's recording class driven as an ordinary user, for {@code PrivilegeRoutesTest}:
 * {@code RecordAsUser ROUTE FILE MODE SECONDS} starts a {@link Recording} along ROUTE, waits until the trace
 * opens (as this user), lets it record SECONDS, waits (up to 20 s) until the live trace has slices on every CPU and prints how many
 * CPUs it saw, then per MODE: {@code stop} presses Stop and waits for the end,
 * {@code quit} presses Stop and exits at once as the app does on quit, {@code die} halts without a word as a
 * killed app would. Prints what its listener hears; exits 0 when the recording did what MODE expects.
 */
public final class RecordAsUser {
    private RecordAsUser() {
    }

    public static void main(String[] args) throws Exception {
        RecordingHelper.Route route = RecordingHelper.Route.valueOf(args[0]);
        Path out = Path.of(args[1]);
        String mode = args[2];
        long seconds = Long.parseLong(args[3]);
        CountDownLatch opened = new CountDownLatch(1);
        Recording<Path> r = Recording.start(new RecordingHelper.Options(out, null, null, null, 16), route,
                p -> {
                    TraceReader.open(p).close();
                    return p;
                }, Runnable::run, new Recording.Listener<>() {
                    @Override public void opened(Path trace) {
                        System.out.println("opened " + trace);
                        opened.countDown();
                    }

                    @Override public void didNotOpen(String why) {
                        System.out.println("didNotOpen " + why);
                    }

                    @Override public void ended(Recording.Outcome o) {
                        System.out.println("ended exit=" + o.exitCode() + " failed=" + o.failed() + " why=" + o.why());
                    }
                });
        if (!opened.await(90, TimeUnit.SECONDS)) {
            System.out.println("not opened; helper said: " + r.helper().lastStderrLine());
            r.stop();
            System.exit(2);
        }
        Thread.sleep(seconds * 1000);
        // what the app's live timeline draws lanes from, read as this user while the helper still writes
        int cpus = 0;
        for (long until = System.nanoTime() + 20_000_000_000L; System.nanoTime() < until; Thread.sleep(200)) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:file:" + out + "?mode=ro");
                 java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(DISTINCT cpu) FROM sched_slice")) {
                cpus = rs.next() ? rs.getInt(1) : 0;
            }
            if (cpus == Runtime.getRuntime().availableProcessors()) break;
        }
        System.out.println("live cpus " + cpus);
        switch (mode) {
            case "stop" -> {
                r.stop();
                Recording.Outcome o = r.awaitEnd(120, TimeUnit.SECONDS);
                System.exit(o != null && !o.failed() && o.exitCode() == 0 ? 0 : 1);
            }
            case "quit" -> {
                r.stop();
                System.exit(0);
            }
            case "die" -> Runtime.getRuntime().halt(0);
            default -> throw new IllegalArgumentException(mode);
        }
    }
}
