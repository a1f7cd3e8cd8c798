package dev.kernscope.storage;

import static dev.kernscope.storage.TraceWriter.FRAME_JIT;
import static dev.kernscope.storage.TraceWriter.FRAME_KERNEL;
import static dev.kernscope.storage.TraceWriter.FRAME_USER;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small trace with known stacks: two processes, three threads, user/kernel/JIT frames, a frame written
 * twice under two ids, an unresolved frame, on- and off-CPU samples and one sample without a stack.
 */
final class FlameFixture {
    record Sample(long ts, int utid, int cpu, long stack, int kind, long weight) {}

    /** Frame id -> {name, module, kind}. */
    static final Map<Long, Object[]> FRAMES = new HashMap<>();
    /** Stack id -> {parent id, frame id}. */
    static final Map<Long, long[]> STACKS = new HashMap<>();
    static final List<Sample> SAMPLES = new ArrayList<>();
    static final long MS = 1_000_000;

    static {
        frame(1, "main", "/usr/bin/server", FRAME_USER);
        frame(2, "handle", "/usr/bin/server", FRAME_USER);
        frame(3, "parse", "/usr/bin/server", FRAME_USER);
        frame(4, "write", "/usr/lib/x86_64-linux-gnu/libc.so.6", FRAME_USER);
        frame(5, "entry_SYSCALL_64", "[kernel]", FRAME_KERNEL);
        frame(6, "vfs_write", "[kernel]", FRAME_KERNEL);
        frame(7, "Foo::bar;baz", "[jit]", FRAME_JIT); // a ';' that the folded format cannot carry
        frame(8, "schedule", "[kernel]", FRAME_KERNEL);
        frame(9, "_start", "/usr/bin/batch", FRAME_USER);
        frame(10, "crunch numbers", "/usr/bin/batch", FRAME_USER);
        frame(11, "libfoo.so+0x1234", "/usr/lib/libfoo.so", FRAME_USER);
        frame(12, "parse", "/usr/bin/server", FRAME_USER); // same function interned twice
        stack(1, 0, 1);
        stack(2, 1, 2);
        stack(3, 2, 3);
        stack(4, 2, 4);
        stack(5, 4, 5);
        stack(6, 5, 6);
        stack(7, 2, 7);
        stack(8, 5, 8);
        stack(9, 0, 9);
        stack(10, 9, 10);
        stack(11, 10, 11);
        stack(12, 2, 12);
        // on-CPU, 1 ms period
        SAMPLES.add(new Sample(10, 1, 0, 3, 0, MS));
        SAMPLES.add(new Sample(20, 1, 0, 3, 0, MS));
        SAMPLES.add(new Sample(30, 1, 1, 6, 0, MS));
        SAMPLES.add(new Sample(40, 2, 1, 7, 0, MS));
        SAMPLES.add(new Sample(50, 2, 0, 12, 0, MS));
        SAMPLES.add(new Sample(60, 3, 1, 11, 0, MS));
        SAMPLES.add(new Sample(70, 3, 1, 10, 0, MS));
        SAMPLES.add(new Sample(80, 3, 0, 0, 0, MS));
        SAMPLES.add(new Sample(200, 1, 0, 2, 0, MS)); // outside the [0, 100) window
        // off-CPU, weighted by blocked time
        SAMPLES.add(new Sample(15, 1, 0, 8, 1, 5 * MS));
        SAMPLES.add(new Sample(45, 2, 1, 8, 1, 2_500_000));
        SAMPLES.add(new Sample(65, 3, 1, 9, 1, 700));
    }

    private static void frame(long id, String name, String module, int kind) {
        FRAMES.put(id, new Object[] {name, module, kind});
    }

    private static void stack(long id, long parent, long frame) {
        STACKS.put(id, new long[] {parent, frame});
    }

    static int depth(long stack) {
        int d = 0;
        for (long p = STACKS.get(stack)[0]; p != 0; p = STACKS.get(p)[0]) d++;
        return d;
    }

    /** Writes the fixture trace. */
    static Path write(Path file) throws IOException {
        try (TraceWriter w = TraceWriter.create(file, true)) {
            int server = w.newProcess(100, "server", "/usr/bin/server --port 80", 0, 0);
            int batch = w.newProcess(200, "batch", "/usr/bin/batch", 0, 0);
            w.newThread(100, server, "server", 0);
            w.newThread(101, server, "worker", 0);
            w.newThread(200, batch, "batch", 0);
            for (long id = 1; id <= FRAMES.size(); id++) {
                Object[] f = FRAMES.get(id);
                w.frame(id, (String) f[0], (String) f[1], (Integer) f[2], 0x1000 + id);
                if (id == 3) w.frameMangled(id, "_Z5parsev"); // what a demangled name keeps
            }
            for (long id = 1; id <= STACKS.size(); id++) w.stack(id, STACKS.get(id)[0], STACKS.get(id)[1], depth(id));
            for (Sample s : SAMPLES) w.stackSample(s.ts(), s.utid(), s.cpu(), s.stack(), s.kind(), s.weight(), 0, 0);
            w.finish(1000, "test");
        }
        return file;
    }

    private FlameFixture() {}
}
