package dev.kernscope.tracer;

import dev.kernscope.storage.FileIdentity;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.bpf.BpfException;
import dev.kernscope.tracer.bpf.LibC;
import dev.kernscope.tracer.bpf.Libbpf;
import dev.kernscope.tracer.stacks.StackOptions;
import dev.kernscope.tracer.stacks.StackRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code kernscope record}: records scheduler activity into a .ktrace file until the duration ends,
 * SIGINT/SIGTERM arrives, or (with {@code --stop-on-stdin-eof}) standard input closes. Exit codes: 0 recorded, 1 recording failed, 2 missing privileges or bad usage,
 * 3 missing kernel or system features. One instance runs once; not thread-safe.
 */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = "Record scheduler activity (switches, wakeups, migrations, run queues) and on-/off-CPU stacks into a .ktrace file.")
public final class RecordCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "trace file to write")
    Path output;
    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", description = "stop after this long (default: until Ctrl-C)")
    double duration;
    @Option(names = "--cpus", paramLabel = "LIST", description = "record only these CPUs, e.g. 0-3,8")
    String cpus;
    @Option(names = "--pid", paramLabel = "PID", description = "record only scheduling that involves this process")
    int pid;
    @Option(names = "--buffer", paramLabel = "MB", defaultValue = "16", description = "ring buffer size in MiB (default: ${DEFAULT-VALUE})")
    int bufferMb;
    @Option(names = {"-f", "--force"}, description = "overwrite FILE if it exists")
    boolean force;
    @Option(names = "--verbose", description = "print attach time, programs, peak memory and libbpf messages")
    boolean verbose;
    @Option(names = "--no-stacks", description = "do not sample on-CPU and off-CPU stacks")
    boolean noStacks;
    @Option(names = "--freq", paramLabel = "HZ", defaultValue = "99", description = "on-CPU stack samples per second per CPU (default: ${DEFAULT-VALUE})")
    int freqHz;
    @Option(names = "--min-block-us", paramLabel = "US", defaultValue = "1000", description = "record off-CPU stacks of blocks at least this long (default: ${DEFAULT-VALUE})")
    long minBlockUs;
    @Option(names = "--stop-on-stdin-eof", description = "also stop (as on Ctrl-C) when standard input reaches end of file, "
            + "for a parent that cannot signal the helper (pkexec runs it as root)")
    boolean stopOnStdinEof;
    @Spec
    CommandSpec spec;
    /** The arguments for meta('cmdline') when not run by picocli ({@link RecordHelperMain}). */
    List<String> metaArgs = List.of();

    public static final int OK = 0, FAILED = 1, NO_PRIVILEGE = 2, MISSING_FEATURE = 3;

    @Override
    public Integer call() {
        PrintWriter out = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        PrintWriter err = spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
        String bad = checkOptions();
        if (bad != null) { // before anything is loaded, privileges or not
            err.println("kernscope record: " + bad);
            err.flush();
            return NO_PRIVILEGE;
        }
        String missing = Preflight.check();
        if (missing != null) {
            err.println("kernscope record: " + missing);
            err.flush();
            return missing.startsWith(Preflight.PRIVILEGE) ? NO_PRIVILEGE : MISSING_FEATURE;
        }
        RecordOptions opts;
        try {
            opts = RecordOptions.defaults().withBufferMb(bufferMb).withPid(pid).withVerbose(verbose)
                    .withCmdline(commandLine(spec == null ? metaArgs : spec.commandLine().getParseResult().originalArgs()));
            if (cpus != null) opts = opts.withCpus(RecordOptions.parseCpuList(cpus));
            opts = opts.withStacks(noStacks ? null : StackOptions.defaults().withFreq(freqHz).withMinBlockUs(minBlockUs));
            if (bufferMb < 1 || bufferMb > 512) throw new IllegalArgumentException("--buffer must be 1..512 MiB");
        } catch (IllegalArgumentException e) {
            err.println("kernscope record: " + e.getMessage());
            err.flush();
            return NO_PRIVILEGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<String> reason = new AtomicReference<>("duration");
        Runnable stopNow = () -> {
            reason.compareAndSet("duration", "stopped");
            stop.countDown();
        };
        for (String sig : new String[]{"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> stopNow.run());
        }
        if (stopOnStdinEof) watchStdin(System.in, stopNow);
        try (TraceWriter w = TraceWriter.create(output, force, FileIdentity.invokingUser())) {
            Recorder r;
            try {
                r = Recorder.start(opts, w);
            } catch (BpfException e) {
                err.println("kernscope record: " + Preflight.explain(e));
                err.flush();
                return e.errno() == 1 ? NO_PRIVILEGE : MISSING_FEATURE;
            }
            if (r.stacksError() != null) {
                err.println("kernscope record: warning: recording without stacks: " + r.stacksError());
                err.flush();
            }
            if (verbose) {
                Recorder.Stats s = r.stats();
                err.printf("open+load+attach %.1f ms (%s, %d programs: %s)%n", s.attachNs() / 1e6, s.attachMode(),
                        s.programs().size(), String.join(" ", s.programs()));
                if (s.numaError() != null) err.println("NUMA events not recorded: " + s.numaError());
                else err.printf("numa.bpf.o open+load+attach %.1f ms%n", s.numaAttachNs() / 1e6);
                err.flush();
            }
            long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
            while (!stop.await(100, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() >= deadline) break;
                if (r.awaitFailure(0)) {
                    reason.set("error");
                    break;
                }
            }
            if (System.console() != null) { // at a terminal, say why Ctrl-C does not return at once
                err.println("stopping: writing the last events and indexing " + output + " ...");
                err.flush();
            }
            Recorder.Stats s = r.stop(reason.get());
            double secs = (s.endTs() - s.startTs()) / 1e9;
            out.printf("recorded %d events, %d slices, %d lost in %.1f s -> %s%n", s.events(), s.slices(), s.lost(),
                    secs, output);
            StackRecorder.Stats st = r.stackStats();
            if (st != null) {
                out.printf("stacks: %d on-CPU samples, %d off-CPU blocks (%d without user stack); %d truncated, "
                        + "%d lost (ring buffer %d, task map %d)%n", st.onCpuSamples(), st.offCpuSamples(), st.noUserStack(),
                        st.truncated(), st.ringbufLost() + st.taskMapFull(), st.ringbufLost(), st.taskMapFull());
            }
            if (verbose) {
                err.printf("decode %.1f ns/event, writer stalls %d, peak RSS %d MiB%n", s.decodeNsPerEvent(),
                        s.writerStalls(), s.peakRssBytes() >> 20);
                if (s.disordered() > 0) err.printf("%d events dropped out of order%n", s.disordered());
                long[] f = w.finishTimes();
                if (f != null) {
                    err.printf("finish %.2f s: last rows %.2f, indexes %.2f, analyze %.2f, vacuum+checkpoint %.2f%n",
                            (f[0] + f[1] + f[2] + f[3]) / 1e9, f[0] / 1e9, f[1] / 1e9, f[2] / 1e9, f[3] / 1e9);
                }
            }
            out.flush();
            err.flush();
        } catch (IOException e) {
            err.println("kernscope record: " + e.getMessage());
            err.flush();
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
        return OK;
    }

    /** Longest recording {@code -d} accepts: a week. */
    static final double MAX_SECONDS = 7 * 86400;

    /** The first option that cannot work, as one line naming it and what it wants; null when all can. */
    String checkOptions() {
        if (Double.isNaN(duration) || duration < 0 || duration > MAX_SECONDS) {
            return "-d wants seconds from 0 (until stopped) to " + (long) MAX_SECONDS + " (a week), not " + duration;
        }
        if (bufferMb < 1 || bufferMb > 512) return "--buffer wants MiB from 1 to 512, not " + bufferMb;
        if (!noStacks && (freqHz < 1 || freqHz > 10_000)) return "--freq wants samples per second from 1 to 10000, not " + freqHz;
        if (!noStacks && (minBlockUs < 0 || minBlockUs > 60_000_000)) {
            return "--min-block-us wants microseconds from 0 to 60000000, not " + minBlockUs;
        }
        if (pid < 0) return "--pid wants a process id, not " + pid;
        if (pid > 0 && !Files.isDirectory(Path.of("/proc/" + pid))) return "--pid " + pid + ": no such process";
        if (cpus != null) {
            if (cpus.isBlank()) return "--cpus is empty: give CPUs such as 0-3,8";
            int[] list;
            try {
                list = dev.kernscope.storage.CpuList.parse(cpus);
            } catch (IllegalArgumentException e) { // NumberFormatException included
                return "--cpus '" + shown(cpus) + "' is not a CPU list such as 0-3,8: " + e.getMessage();
            }
            String possible = ProcFs.read("/sys/devices/system/cpu/possible");
            if (list.length == 0) return "--cpus '" + shown(cpus) + "' names no CPU: give CPUs such as 0-3,8";
            if (possible != null) {
                java.util.Set<Integer> here = new java.util.HashSet<>();
                for (int c : dev.kernscope.storage.CpuList.parse(possible.strip())) here.add(c);
                for (int c : list) {
                    if (!here.contains(c)) return "--cpus: this machine has no CPU " + c + " (its CPUs are " + possible.strip() + ")";
                }
            }
        }
        if (output == null) return "-o FILE is required";
        if (Files.isDirectory(output)) return "-o " + output + " is a folder: give a file name, such as " + output.resolve("trace.ktrace");
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) return "-o " + output + ": folder " + parent + " does not exist";
        if (Files.exists(output, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !force) {
            return "-o " + output + " exists: choose another name, or -f to overwrite it";
        }
        return null;
    }

    /** A user's value as shown in a message: printable and short. */
    private static String shown(String v) {
        String s = v.length() > 40 ? v.substring(0, 40) + "..." : v;
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) b.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        return b.toString();
    }

    /** Runs {@code onEof} once {@code in} reaches end of file (or fails); what is read is ignored. */
    static Thread watchStdin(InputStream in, Runnable onEof) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // the parent keeps the pipe open while it wants the recording to go on
                }
            } catch (IOException e) {
                // a broken pipe means the parent is gone: stop as well
            }
            onEof.run();
        }, "kernscope-stdin");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** meta('cmdline'): the kernscope command as typed, not the JVM's, from picocli's original arguments. */
    static String commandLine(List<String> originalArgs) {
        boolean sub = !originalArgs.isEmpty() && originalArgs.get(0).equals("record"); // `kernscope record ...`
        List<String> args = sub ? originalArgs.subList(1, originalArgs.size()) : originalArgs;
        StringBuilder sb = new StringBuilder("kernscope record");
        for (String a : args) {
            sb.append(' ');
            boolean plain = !a.isEmpty() && a.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0);
            sb.append(plain ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    /** Checks, before touching BPF, what recording needs; returns one line naming what is missing, or null. */
    static final class Preflight {
        static final String PRIVILEGE = "needs root";

        static String check() {
            if (!privileged()) {
                return PRIVILEGE + " (or CAP_BPF and CAP_PERFMON) to load BPF programs: run it with sudo";
            }
            if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
                return "kernel BTF is missing (/sys/kernel/btf/vmlinux): use a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.8 or newer)";
            }
            String rel = ProcFs.read("/proc/sys/kernel/osrelease");
            if (rel != null && !atLeast(rel.strip(), 5, 10)) {
                return "kernel " + rel.strip() + " is too old: the recorder needs 5.10 or newer (BPF ring buffer, "
                        + "BPF test runs on a given CPU)";
            }
            try {
                Libbpf.load();
            } catch (UnsatisfiedLinkError e) {
                return "libbpf.so.1 not found: install libbpf 1.x (Debian/Ubuntu: apt-get install libbpf1; Fedora: dnf install libbpf)";
            }
            return null;
        }

        static String explain(BpfException e) {
            return switch (e.errno()) {
                case 1 -> "the kernel refused to load BPF programs (EPERM): " + PRIVILEGE
                        + " (or CAP_BPF and CAP_PERFMON), and kernel.unprivileged_bpf_disabled/lockdown may forbid it: " + e.getMessage();
                case 2, 22, 95 -> "this kernel lacks a BPF feature the recorder needs (sched tracepoints, ring buffer, BTF or test runs on a CPU): "
                        + e.getMessage();
                default -> e.getMessage();
            };
        }

        static boolean privileged() {
            if (LibC.geteuid() == 0) return true;
            String cap = ProcFs.status((int) ProcessHandle.current().pid(), "CapEff");
            if (cap == null) return false;
            long eff = Long.parseUnsignedLong(cap, 16);
            return (eff & (1L << 38)) != 0 && (eff & (1L << 39)) != 0; // CAP_PERFMON, CAP_BPF
        }

        static boolean atLeast(String release, int major, int minor) {
            try {
                String[] p = release.split("[.-]");
                int a = Integer.parseInt(p[0]), b = Integer.parseInt(p[1]);
                return a > major || (a == major && b >= minor);
            } catch (RuntimeException e) {
                return true;
            }
        }

        private Preflight() {
        }
    }
}
