package dev.kernscope.tracer.bpf;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the recorder needs (mmap, poll, setrlimit, clock_gettime, gettid).
 * Stateless and thread-safe.
 */
public final class LibC {
    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public static final short POLLIN = 1;
    public static final int RLIMIT_MEMLOCK = 8;
    public static final int CLOCK_MONOTONIC = 1;
    private static final long SYS_GETTID = 186; // x86_64
    public static final Pointer MAP_FAILED = new Pointer(-1);

    interface C extends Library {
        Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);
        int munmap(Pointer addr, long length);
        int poll(Pointer fds, long nfds, int timeout);
        int setrlimit(int resource, Pointer rlim);
        int clock_gettime(int clock, Pointer ts);
        long syscall(long number, Object... args);
        String strerror(int errnum);
        int close(int fd);
        int geteuid();
        long sysconf(int name);
        int setpriority(int which, int who, int prio);
        int sched_setscheduler(int pid, int policy, Pointer param);
    }

    static final C C = Native.load("c", C.class);

    private LibC() {
    }

    public static Pointer mmap(long length, int prot, int fd, long offset) throws BpfException {
        Pointer p = C.mmap(null, length, prot, MAP_SHARED, fd, offset);
        if (p == null || Pointer.nativeValue(p) == -1) throw new BpfException("mmap of fd " + fd + " failed", Native.getLastError());
        return p;
    }

    public static void munmap(Pointer p, long length) {
        C.munmap(p, length);
    }

    /** Waits until {@code fd} is readable or {@code timeoutMs} passes; the poll buffer is the caller's (8 bytes). */
    public static int pollIn(Memory pollfd, int fd, int timeoutMs) {
        pollfd.setInt(0, fd);
        pollfd.setShort(4, POLLIN);
        pollfd.setShort(6, (short) 0);
        return C.poll(pollfd, 1, timeoutMs);
    }

    /**
     * Lifts RLIMIT_MEMLOCK so that BPF maps can be created on kernels before 5.11 that still charge it.
     * Returns the errno when it could not (kernels since 5.11 charge BPF memory to the cgroup instead).
     */
    public static int unlimitMemlock() {
        Memory rl = new Memory(16);
        rl.setLong(0, -1L);
        rl.setLong(8, -1L);
        return C.setrlimit(RLIMIT_MEMLOCK, rl) != 0 ? Native.getLastError() : 0;
    }

    /** CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns reads. */
    public static long monotonicNs() {
        Memory ts = new Memory(16);
        C.clock_gettime(CLOCK_MONOTONIC, ts);
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }

    public static int gettid() {
        return (int) C.syscall(SYS_GETTID);
    }

    /** Scheduling policies for {@link #deprioritizeThisThread}. */
    public static final int SCHED_OTHER = 0, SCHED_BATCH = 3, SCHED_IDLE = 5;

    /**
     * Moves the calling thread (only it: Linux applies both calls per thread id) to {@code policy} at
     * {@code nice}, so that it yields to the workload it records. Returns 0 or the errno; best effort.
     */
    public static int deprioritizeThisThread(int policy, int nice) {
        int tid = gettid();
        Memory param = new Memory(4);
        param.setInt(0, 0);
        if (C.sched_setscheduler(tid, policy, param) != 0) return Native.getLastError();
        return C.setpriority(0 /* PRIO_PROCESS */, tid, nice) != 0 ? Native.getLastError() : 0;
    }

    public static int pageSize() {
        return (int) C.sysconf(30); // _SC_PAGESIZE
    }

    /** Clock ticks per second of /proc/PID/stat times. */
    public static long clockTicks() {
        return C.sysconf(2); // _SC_CLK_TCK
    }

    public static int geteuid() {
        return C.geteuid();
    }

    public static void close(int fd) {
        C.close(fd);
    }

    private static final long SYS_PERF_EVENT_OPEN = 298; // x86_64
    private static final int PERF_FLAG_FD_CLOEXEC = 8;

    /**
     * Opens a sampling perf event ({@code perf_event_open(2)}) on every thread of one CPU; {@code attr} is a
     * filled {@code struct perf_event_attr}. Returns the fd.
     */
    public static int perfEventOpen(Memory attr, int cpu) throws BpfException {
        int fd = (int) C.syscall(SYS_PERF_EVENT_OPEN, attr, -1L, (long) cpu, -1L, (long) PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) throw new BpfException("perf_event_open on CPU " + cpu + " failed", Native.getLastError());
        return fd;
    }

    private static final long SYS_BPF = 321; // x86_64
    private static final int BPF_PROG_TEST_RUN = 10, BPF_F_TEST_RUN_ON_CPU = 1 << 0;
    /** sizeof the test-run part of {@code union bpf_attr} up to {@code cpu}, and the offsets used. */
    public static final int TEST_RUN_ATTR_SIZE = 72;
    private static final int ATTR_PROG_FD = 0, ATTR_FLAGS = 64, ATTR_CPU = 68;
    /** errno of a test run on an offline CPU. */
    public static final int ENXIO = 6;

    /**
     * Runs a loaded raw_tp program once on {@code cpu} ({@code BPF_PROG_TEST_RUN} with
     * {@code BPF_F_TEST_RUN_ON_CPU}: an IPI, so with interrupts off there), without context; {@code attr}
     * is scratch of {@link #TEST_RUN_ATTR_SIZE} bytes. Returns 0 or the errno.
     */
    public static int runOnCpu(int progFd, int cpu, Memory attr) {
        attr.clear(TEST_RUN_ATTR_SIZE);
        attr.setInt(ATTR_PROG_FD, progFd);
        attr.setInt(ATTR_FLAGS, BPF_F_TEST_RUN_ON_CPU);
        attr.setInt(ATTR_CPU, cpu);
        long rc = C.syscall(SYS_BPF, (long) BPF_PROG_TEST_RUN, attr, (long) TEST_RUN_ATTR_SIZE);
        return rc < 0 ? Native.getLastError() : 0;
    }

    public static String strerror(int errno) {
        try {
            return C.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            return "?";
        }
    }
}
