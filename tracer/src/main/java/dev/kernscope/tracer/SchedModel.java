package dev.kernscope.tracer;

import dev.kernscope.storage.TraceWriter;
import dev.kernscope.tracer.stacks.ProcessListener;
import dev.kernscope.tracer.stacks.ThreadIds;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns decoded scheduler events into trace rows while recording: per-CPU slices (switch-in to
 * switch-out), runnable intervals (wakeup / wakeup_new / preempted until the next switch-in), migrations,
 * run-queue samples, and thread/process lifetimes keyed by fresh utids/upids when tids are reused.
 *
 * <p>Run-queue lengths are derived here at every change rather than read in BPF per event: a task is queued
 * on its wakeup's target CPU (or where it was preempted) until it switches in, migrations move it, and a
 * CPU's length is its queued tasks plus the running one. The kernel's own count, sampled every flush (~50 ms)
 * per CPU, is written too and corrects the derivation until the next sample (tasks already runnable when the
 * recording started are not known otherwise); with a {@code --pid} filter those samples are the only lengths.
 *
 * <p>Not thread-safe: it lives on the writer thread with its {@link TraceWriter}.
 */
final class SchedModel implements ThreadIds {
    /** Run-queue samples of one CPU closer together than this are coalesced (the last one wins). */
    static final long RUNQ_MIN_GAP_NS = 20_000;

    private static final class Task {
        int tid, utid, upid;
        String name;
        boolean dead, fromScan;
        int runningCpu = -1;
        int queuedCpu = -1; // CPU whose run queue holds it while runnable, -1 none
        long rTs = -1; // pending runnable interval start, -1 none
        int rWaker, rTarget, rReason;
    }

    private static final class Proc {
        int pid, upid;
        String cmdline;
        boolean dead, fromScan;
    }

    private final TraceWriter w;
    private final int filterTgid;
    private final long startTs;
    private final IntMap<Task> tasks = new IntMap<>();
    private final IntMap<Proc> procs = new IntMap<>();

    private boolean[] open = new boolean[0], seen = new boolean[0];
    private long[] sliceTs = new long[0];
    private int[] sliceTid = new int[0], sliceUtid = new int[0];
    private long[] runqWrittenTs = new long[0], runqPendingTs = new long[0];
    private int[] runqWritten = new int[0], runqPending = new int[0];
    private int[] queued = new int[0], running = new int[0], runqOffset = new int[0];

    long events, slices, runnables, migrations, runqSamples, kernelRunqSamples, mismatches;
    private ProcessListener listener; // told of new upids and execs (stack symbolization), may be null
    private ExecArgs execArgs; // may be null

    SchedModel(TraceWriter w, int filterTgid, long startTs) {
        this.w = w;
        this.filterTgid = filterTgid;
        this.startTs = startTs;
    }

    void listener(ProcessListener l) {
        listener = l;
    }

    /** Where the arguments of each exec come from first; {@code /proc} alone when null. */
    void execArgs(ExecArgs a) {
        execArgs = a;
    }

    @Override
    public int utid(int tid, int tgid, long ts) throws IOException {
        return task(tid, tgid, ts).utid;
    }

    @Override
    public int upid(int pid, long ts) throws IOException {
        return pid == 0 ? 0 : proc(pid, ts).upid;
    }

    /** Registers every process and thread alive now, named from /proc, as existing at {@code ts}. */
    void scanProc(long ts) throws IOException {
        File[] dirs = new File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
        if (dirs == null) return;
        int[] pids = Arrays.stream(dirs).mapToInt(f -> Integer.parseInt(f.getName())).sorted().toArray();
        for (int pid : pids) {
            String comm = ProcFs.comm(pid, pid);
            if (comm == null) continue;
            String ppid = ProcFs.status(pid, "PPid");
            Proc parent = ppid == null ? null : procs.get(Integer.parseInt(ppid));
            Proc p = new Proc();
            p.pid = pid;
            p.fromScan = true;
            p.cmdline = ProcFs.cmdline(pid);
            p.upid = w.newProcess(pid, comm, p.cmdline, parent == null ? 0 : parent.upid, ts);
            procs.put(pid, p);
            if (listener != null) listener.processSeen(p.upid, pid, ts);
            String[] tids = new File("/proc/" + pid + "/task").list();
            if (tids == null) continue;
            for (String t : tids) {
                int tid = Integer.parseInt(t);
                String name = tid == pid ? comm : ProcFs.comm(pid, tid);
                if (name == null) continue;
                Task k = newTask(tid, p.upid, name, ts);
                k.fromScan = true;
            }
        }
    }

    /** Applies event {@code i} of {@code b}; events must come in time order (see {@link EventMerger}). */
    void apply(EventBatch b, int i) throws IOException {
        events++;
        long ts = b.ts[i];
        switch (b.type[i]) {
            case SchedEvent.SWITCH -> onSwitch(b, i, ts);
            case SchedEvent.WAKEUP, SchedEvent.WAKEUP_NEW -> onWakeup(b, i, ts);
            case SchedEvent.MIGRATE -> {
                if (b.pid[i] != 0) {
                    Task t = task(b.pid[i], b.tgid[i], ts);
                    w.migration(ts, t.utid, b.pid2[i], b.tgid2[i]);
                    migrations++;
                    int from = t.queuedCpu;
                    if (from >= 0) {
                        dequeue(t);
                        enqueue(t, b.tgid2[i]);
                        runqChanged(from, ts);
                        runqChanged(b.tgid2[i], ts);
                    }
                }
            }
            case SchedEvent.FORK -> onFork(b, i, ts);
            case SchedEvent.EXEC -> onExec(b, i, ts);
            case SchedEvent.EXIT -> onExit(b, i, ts);
            case SchedEvent.RENAME -> rename(task(b.pid[i], b.tgid[i], ts), b.tgid[i], ts, b.comm(i));
            case SchedEvent.RUNQ -> onKernelRunq(b.cpu[i], ts, b.tgid2[i]);
            default -> mismatches++;
        }
    }

    private void onSwitch(EventBatch b, int i, long ts) throws IOException {
        int c = b.cpu[i], prev = b.pid[i], next = b.pid2[i];
        ensureCpu(c);
        if (open[c]) {
            if (sliceTid[c] == prev) {
                w.slice(c, sliceTs[c], ts - sliceTs[c], sliceUtid[c], b.arg0[i], b.arg1[i]);
                slices++;
            } else {
                // The switch that ended the open slice never came. Seen on 6.18 with threads of the machine's
                // PID 1: their switch-in is traced, their switch-out is not (bpftrace shows the same), and the
                // CPU's next switch names another task as prev. That prev is the one the kernel says was running
                // until now: give it the interval rather than dropping it (dropping lost hundreds of ms of a
                // CPU hog's runtime). With an idle prev there is no one to give it to.
                mismatches++;
                if (prev != 0 && wanted(b.tgid[i])) {
                    w.slice(c, sliceTs[c], ts - sliceTs[c], task(prev, b.tgid[i], ts).utid, b.arg0[i], b.arg1[i]);
                    slices++;
                }
            }
        } else if (!seen[c] && prev != 0 && wanted(b.tgid[i])) {
            // it had been running since before the recording started
            w.slice(c, startTs, ts - startTs, task(prev, b.tgid[i], ts).utid, b.arg0[i], b.arg1[i]);
            slices++;
        }
        seen[c] = true;
        if (prev != 0) {
            Task p = task(prev, b.tgid[i], ts);
            p.runningCpu = -1;
            int from = p.queuedCpu; // it ran, so it was queued nowhere (its switch-in went unseen)
            if (from >= 0) dequeue(p);
            if (from >= 0 && from != c) runqChanged(from, ts);
            if (b.arg0[i] == 0 && !p.dead) {
                if (p.rTs < 0) pending(p, ts, 0, c, 2);
                enqueue(p, c);
            }
        }
        open[c] = false;
        running[c] = next != 0 ? 1 : 0;
        if (next == 0) runqChanged(c, ts);
        if (next != 0) {
            Task n = task(next, b.tgid2[i], ts);
            n.runningCpu = c;
            int from = n.queuedCpu;
            if (from >= 0) dequeue(n);
            if (from >= 0 && from != c) runqChanged(from, ts);
            if (n.rTs >= 0) {
                w.wakeup(n.rTs, n.utid, n.rWaker, n.rTarget, ts, c, n.rReason);
                runnables++;
                n.rTs = -1;
            }
            runqChanged(c, ts);
            if (wanted(b.tgid2[i])) {
                open[c] = true;
                sliceTs[c] = ts;
                sliceTid[c] = next;
                sliceUtid[c] = n.utid;
            }
        }
    }

    private void onWakeup(EventBatch b, int i, long ts) throws IOException {
        Task t = task(b.pid[i], b.tgid[i], ts);
        if (t.runningCpu >= 0 || t.rTs >= 0) return; // woken before it got off the CPU, or already runnable
        int waker = b.pid2[i] == 0 ? 0 : task(b.pid2[i], b.tgid2[i], ts).utid;
        pending(t, ts, waker, b.arg0[i], b.type[i] == SchedEvent.WAKEUP_NEW ? 1 : 0);
        if (t.queuedCpu < 0) {
            enqueue(t, b.arg0[i]);
            runqChanged(b.arg0[i], ts);
        }
    }

    private void onFork(EventBatch b, int i, long ts) throws IOException {
        int childTid = b.pid2[i], childTgid = b.tgid2[i];
        String comm = b.comm(i);
        Proc proc;
        if (childTid == childTgid) {
            Proc old = procs.get(childTgid);
            if (old != null && old.fromScan && !old.dead) {
                proc = old; // forked between attach and the /proc scan: already known
            } else {
                Proc parent = procs.get(b.tgid[i]);
                proc = new Proc();
                proc.pid = childTgid;
                proc.cmdline = parent == null ? null : parent.cmdline; // a fork runs its parent's program until it execs
                proc.upid = w.newProcess(childTgid, comm, proc.cmdline, parent == null ? 0 : parent.upid, ts);
                procs.put(childTgid, proc);
                if (listener != null) listener.processSeen(proc.upid, childTgid, ts);
            }
        } else {
            proc = proc(childTgid, ts);
        }
        Task old = tasks.get(childTid);
        if (old != null && old.fromScan && !old.dead) return;
        newTask(childTid, proc.upid, comm, ts);
    }

    private void onExec(EventBatch b, int i, long ts) throws IOException {
        int tid = b.pid[i], oldTid = b.pid2[i];
        if (oldTid != tid && oldTid != 0) {
            Task gone = tasks.get(oldTid); // a non-leader thread exec'ed and took the leader's tid
            if (gone != null && !gone.dead) {
                w.endThread(gone.utid, ts);
                gone.dead = true;
            }
        }
        Task t = tasks.get(tid);
        if (oldTid != tid && (t == null || t.dead)) t = newTask(tid, proc(b.tgid[i], ts).upid, null, ts);
        rename(t == null ? task(tid, b.tgid[i], ts) : t, b.tgid[i], ts, b.comm(i));
        Proc p = proc(b.tgid[i], ts);
        String cmdline = cmdlineOfExec(p.pid, tid, ts);
        if (cmdline == null) cmdline = b.comm(i); // the new program's name rather than the parent's command line
        if (!cmdline.equals(p.cmdline)) {
            p.cmdline = cmdline;
            w.setProcessCmdline(p.upid, cmdline);
        }
        if (listener != null) listener.processExec(p.upid, p.pid, ts);
    }

    /**
     * The arguments the exec tracepoint read (exact, but cut at 255 bytes), or else {@code /proc}'s, which are
     * whole but can by now be a later exec's, or gone with a short-lived process. A cut one is completed from
     * {@code /proc} when that still starts with it.
     */
    private String cmdlineOfExec(int pid, int tid, long ts) {
        String exact = execArgs == null ? null : execArgs.of(tid, ts);
        if (exact != null && !ExecArgs.truncated(exact)) return exact;
        String proc = ProcFs.cmdline(pid);
        if (exact == null) return proc;
        return proc != null && proc.startsWith(exact) ? proc : exact;
    }

    private void onExit(EventBatch b, int i, long ts) throws IOException {
        Task t = tasks.get(b.pid[i]);
        if (t != null && !t.dead) {
            w.endThread(t.utid, ts);
            t.dead = true;
            int from = t.queuedCpu;
            if (from >= 0) {
                dequeue(t);
                runqChanged(from, ts);
            }
        }
        if (b.arg0[i] != 0) {
            Proc p = procs.get(b.tgid[i]);
            if (p != null && !p.dead) {
                w.endProcess(p.upid, ts);
                p.dead = true;
            }
        }
    }

    private void rename(Task t, int tgid, long ts, String name) throws IOException {
        if (name.equals(t.name)) return;
        t.name = name;
        w.renameThread(t.utid, ts, name);
        if (t.tid == tgid) w.renameProcess(proc(tgid, ts).upid, name);
    }

    private void pending(Task t, long ts, int waker, int target, int reason) {
        t.rTs = ts;
        t.rWaker = waker;
        t.rTarget = target;
        t.rReason = reason;
    }

    private void enqueue(Task t, int cpu) {
        ensureCpu(cpu);
        t.queuedCpu = cpu;
        queued[cpu]++;
    }

    private void dequeue(Task t) {
        int cpu = t.queuedCpu;
        t.queuedCpu = -1;
        if (queued[cpu] > 0) queued[cpu]--;
    }

    private void runqChanged(int cpu, long ts) throws IOException {
        if (filterTgid == 0) runq(cpu, ts, Math.max(0, queued[cpu] + running[cpu] + runqOffset[cpu]));
    }

    /**
     * The kernel's own run-queue length of {@code cpu} at {@code ts}: written as it is, and the difference to
     * the derived length kept as an offset for the derived samples until the next one (tasks already queued
     * when the recording started, the recorder's own queued threads). With a --pid filter it is the only source.
     */
    private void onKernelRunq(int cpu, long ts, int len) throws IOException {
        ensureCpu(cpu);
        kernelRunqSamples++;
        if (filterTgid == 0) runqOffset[cpu] = len - (queued[cpu] + running[cpu]);
        runq(cpu, ts, len);
    }

    private void runq(int cpu, long ts, int len) throws IOException {
        if (len == runqWritten[cpu]) {
            runqPendingTs[cpu] = -1;
        } else if (ts - runqWrittenTs[cpu] >= RUNQ_MIN_GAP_NS) {
            writeRunq(cpu, ts, len);
        } else {
            runqPendingTs[cpu] = ts;
            runqPending[cpu] = len;
        }
    }

    private void writeRunq(int cpu, long ts, int len) throws IOException {
        w.runqSample(ts, cpu, len);
        runqSamples++;
        runqWritten[cpu] = len;
        runqWrittenTs[cpu] = ts;
        runqPendingTs[cpu] = -1;
    }

    /** Writes coalesced run-queue samples still held back; call before each flush. */
    void flushPending() throws IOException {
        for (int c = 0; c < runqPendingTs.length; c++) {
            if (runqPendingTs[c] >= 0 && runqPending[c] != runqWritten[c]) writeRunq(c, runqPendingTs[c], runqPending[c]);
        }
    }

    /** Closes what is still open at the end: running slices (end_state -1) and runnable intervals. */
    void finish(long endTs) throws IOException {
        flushPending();
        for (int c = 0; c < open.length; c++) {
            if (open[c]) {
                Task t = tasks.get(sliceTid[c]);
                w.slice(c, sliceTs[c], Math.max(0, endTs - sliceTs[c]), sliceUtid[c], -1, 0);
                slices++;
                open[c] = false;
                if (t != null) t.runningCpu = -1;
            }
        }
        tasks.forEach(t -> {
            if (t.rTs >= 0) {
                try {
                    w.wakeup(t.rTs, t.utid, t.rWaker, t.rTarget, -1, -1, t.rReason);
                    runnables++;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                t.rTs = -1;
            }
        });
    }

    /** The utid of the thread now known by {@code tid}, 0 if none (for events of other sources). */
    int utidOf(int tid) {
        Task t = tasks.get(tid);
        return t == null ? 0 : t.utid;
    }

    /**
     * The upid of process {@code pid} as the scheduler events have made it known so far, 0 if none. Other
     * sources (the NUMA samplers read /proc on their own clock) use this, so that they never register a
     * process ahead of its fork event, which would give it a second upid.
     */
    int knownUpidOf(int pid) {
        Proc p = procs.get(pid);
        return p == null ? 0 : p.upid;
    }

    private boolean wanted(int tgid) {
        return filterTgid == 0 || tgid == filterTgid;
    }

    /**
     * The task now known by {@code tid}. An exited task keeps its utid (it still switches out, wakes its
     * parent) until a fork hands the tid to a new task.
     */
    private Task task(int tid, int tgid, long ts) throws IOException {
        Task t = tasks.get(tid);
        if (t != null) return t;
        Proc p = tgid == 0 ? null : proc(tgid, ts);
        return newTask(tid, p == null ? 0 : p.upid, ProcFs.comm(tgid, tid), ts);
    }

    private Proc proc(int pid, long ts) throws IOException {
        Proc p = procs.get(pid);
        if (p != null) return p;
        p = new Proc();
        p.pid = pid;
        p.cmdline = ProcFs.cmdline(pid);
        p.upid = w.newProcess(pid, ProcFs.comm(pid, pid), p.cmdline, 0, ts);
        procs.put(pid, p);
        if (listener != null) listener.processSeen(p.upid, pid, ts);
        return p;
    }

    private Task newTask(int tid, int upid, String name, long ts) throws IOException {
        Task t = new Task();
        t.tid = tid;
        t.upid = upid;
        t.name = name;
        t.utid = w.newThread(tid, upid, name, ts);
        tasks.put(tid, t);
        return t;
    }

    private void ensureCpu(int c) {
        if (c < open.length) return;
        int n = Math.max(c + 1, 64);
        open = Arrays.copyOf(open, n);
        seen = Arrays.copyOf(seen, n);
        sliceTs = Arrays.copyOf(sliceTs, n);
        sliceTid = Arrays.copyOf(sliceTid, n);
        sliceUtid = Arrays.copyOf(sliceUtid, n);
        int old = runqWritten.length;
        runqWritten = Arrays.copyOf(runqWritten, n);
        runqWrittenTs = Arrays.copyOf(runqWrittenTs, n);
        runqPending = Arrays.copyOf(runqPending, n);
        runqPendingTs = Arrays.copyOf(runqPendingTs, n);
        queued = Arrays.copyOf(queued, n);
        running = Arrays.copyOf(running, n);
        runqOffset = Arrays.copyOf(runqOffset, n);
        for (int i = old; i < n; i++) {
            runqWritten[i] = -1;
            runqWrittenTs[i] = Long.MIN_VALUE / 2;
            runqPendingTs[i] = -1;
        }
    }
}
