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
        long pread(int fd, byte[] buf, long count, long offset);
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

    // --- careful file access for the symbolizer (x86_64 syscall numbers, as above) ---------------------------
    private static final long SYS_FSTAT = 5, SYS_OPENAT2 = 437;
    public static final int O_RDONLY = 0, O_NONBLOCK = 04000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000,
            O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    public static final int AT_FDCWD = -100;
    /** {@code sizeof(struct stat)} on x86_64 and the offsets {@link #fstat} callers read. */
    public static final int STAT_SIZE = 144, ST_DEV = 0, ST_INO = 8, ST_MODE = 24, ST_UID = 28, ST_SIZE = 48,
            ST_MTIME = 88;

    /**
     * {@code openat2(dirfd, path, {flags, 0, resolve})}: returns the fd, or minus the errno. {@code dirfd} may be
     * {@link #AT_FDCWD}.
     */
    public static int openat2(int dirfd, String path, long flags, long resolve) {
        byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Memory name = new Memory(p.length + 1L);
        name.write(0, p, 0, p.length);
        name.setByte(p.length, (byte) 0);
        Memory how = new Memory(24);
        how.setLong(0, flags);
        how.setLong(8, 0);
        how.setLong(16, resolve);
        long rc = C.syscall(SYS_OPENAT2, (long) dirfd, name, how, 24L);
        return rc < 0 ? -Native.getLastError() : (int) rc;
    }

    /** {@code fstat} into {@code st} ({@link #STAT_SIZE} bytes); 0 or the errno. */
    public static int fstat(int fd, Memory st) {
        return C.syscall(SYS_FSTAT, (long) fd, st) < 0 ? Native.getLastError() : 0;
    }

    /** {@code pread}: bytes read (0 at end of file), or minus the errno. */
    public static long pread(int fd, byte[] buf, int len, long offset) {
        long n = C.pread(fd, buf, len, offset);
        return n < 0 ? -Native.getLastError() : n;
    }
}
