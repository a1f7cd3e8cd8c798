package dev.kernscope.tracer.stacks;

import dev.kernscope.tracer.symbols.ProcessMaps;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Captures a process's mappings as soon as its samples are read from the ring buffer, on a thread of its own at
 * normal priority: the writer thread, which symbolizes, runs behind the workload (SCHED_BATCH, nice 10) and
 * under load reaches a short-lived process's fork or exec only after the process is gone (0.6 s late was seen
 * at a load of 10), when {@code /proc/PID/maps} no longer exists. The interner falls back to these captures.
 * A sample whose user address lies in none of the process's captured mappings (an exec, a dlopen since) asks for
 * a new capture, at most one per process per {@link #RECAPTURE_NS}.
 *
 * <p>Thread-safe: {@link #sampled} is called by the ring buffer's reader thread, {@link #get} by the writer.
 */
final class EarlyMaps implements AutoCloseable {
    private static final long RECAPTURE_NS = 50_000_000L;
    private static final int MAX_PROCESSES = 8192;

    private record Entry(ProcessMaps maps, long at) {}

    private final Path procRoot;
    private final ConcurrentHashMap<Integer, Entry> maps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Long> asked = new ConcurrentHashMap<>();
    private final ArrayBlockingQueue<Integer> todo = new ArrayBlockingQueue<>(1024);
    private final Thread thread;
    private volatile boolean closed;

    EarlyMaps(Path procRoot) {
        this.procRoot = procRoot;
        thread = new Thread(this::run, "kernscope-maps");
        thread.setDaemon(true);
        thread.start();
    }

    /** A sample of process {@code tgid} whose innermost user address is {@code userIp} (0: none); reader thread. */
    void sampled(int tgid, long userIp) {
        if (tgid <= 0) return;
        Entry e = maps.get(tgid);
        if (e != null && (userIp == 0 || e.maps().find(userIp) != null)) return;
        long now = System.nanoTime();
        Long last = asked.get(tgid);
        if (last != null && now - last < RECAPTURE_NS) return;
        asked.put(tgid, now);
        todo.offer(tgid); // full: this one waits for its next sample
    }

    /** The latest early capture of {@code pid} taken at or after {@code notBefore} (CLOCK_MONOTONIC ns), or null. */
    ProcessMaps get(int pid, long notBefore) {
        Entry e = maps.get(pid);
        return e == null || e.at() < notBefore ? null : e.maps();
    }

    private void run() {
        while (!closed) {
            Integer pid;
            try {
                pid = todo.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                ProcessMaps m = ProcessMaps.capture(procRoot, pid);
                if (maps.size() >= MAX_PROCESSES) {
                    maps.clear(); // bounded: the writer has long used the older ones
                    asked.clear();
                }
                maps.put(pid, new Entry(m, System.nanoTime()));
            } catch (Throwable t) {
                // gone already, or a hostile process: the writer's own capture decides
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
