package dev.kernscope.tracer.numa;

import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A NUMA-only recorder: topology, feature flags, counters and pages per node of the busiest processes into
 * a {@code .ktrace}, until the duration elapses, a stop file appears or the process is terminated. It
 * stands in for {@code kernscope record} in the two-node VM test and shows how the recorder drives a
 * {@link NumaCollector}.
 *
 * <p>Usage: {@code NumaRecordMain OUT.ktrace [--duration-ms N] [--stop-file PATH] [--processes N]}
 */
public final class NumaRecordMain {
    private NumaRecordMain() {}

    public static void main(String[] args) throws Exception {
        Path out = null;
        long durationMs = Long.MAX_VALUE / 2_000_000;
        Path stopFile = null;
        int processes = ProcessNumaSampler.DEFAULT_LIMIT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--duration-ms" -> durationMs = Long.parseLong(args[++i]);
                case "--stop-file" -> stopFile = Path.of(args[++i]);
                case "--processes" -> processes = Integer.parseInt(args[++i]);
                default -> out = Path.of(args[i]);
            }
        }
        if (out == null) {
            System.err.println("usage: NumaRecordMain OUT.ktrace [--duration-ms N] [--stop-file PATH] [--processes N]");
            System.exit(2);
        }
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            record(out, durationMs * 1_000_000L, stopFile, processes, stop);
        } finally {
            done.countDown();
        }
    }

    static void record(Path out, long durationNs, Path stopFile, int processes, AtomicBoolean stop) throws IOException {
        try (TraceWriter w = TraceWriter.create(out, true)) {
            Map<Integer, Integer> upids = new HashMap<>();
            SysRoot root = SysRoot.HOST;
            NumaFeatures.mountTracefs();
            try (NumaCollector numa = new NumaCollector(root, pid -> upids.computeIfAbsent(pid, p -> newProcess(w, root, p)),
                    null, processes, NumaSampler.DEFAULT_PERIOD_NS, ProcessNumaSampler.DEFAULT_PERIOD_NS)) {
                long start = System.nanoTime();
                w.meta("start_ts", Long.toString(start));
                w.meta("hostname", hostname());
                w.meta("kernel_release", Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
                w.meta("cmdline", "NumaRecordMain " + out);
                numa.start(start, w);
                w.flush();
                long lastFlush = start;
                long now = start;
                while (!stop.get() && now - start < durationNs && (stopFile == null || !Files.exists(stopFile))) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        break;
                    }
                    now = System.nanoTime();
                    numa.poll(now, w);
                    if (now - lastFlush > 500_000_000L) {
                        w.flush();
                        lastFlush = now;
                    }
                }
                now = System.nanoTime();
                numa.finish(now, w);
                w.finish(now, stop.get() ? "signal" : "done");
            }
        }
    }

    private static int newProcess(TraceWriter w, SysRoot root, int pid) {
        try {
            String comm = read(root.proc(pid + "/comm"));
            String cmdline = read(root.proc(pid + "/cmdline")).replace('\0', ' ').strip();
            return w.newProcess(pid, comm, cmdline, 0, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String hostname() {
        String h = read(Path.of("/proc/sys/kernel/hostname"));
        return h.isEmpty() ? "unknown" : h;
    }
}
