package dev.kernscope.storage;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * The file-system identity (fsuid, fsgid, supplementary groups) under which a root recorder creates and
 * writes the invoking user's files, so that the kernel applies that user's permissions and symlink rules:
 * {@code -o /etc/x} fails as it would for the user, and a link planted at {@code FILE-wal} reaches only what
 * the user could reach anyway. Capabilities that are not about files (CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE)
 * stay, and so does the real and effective uid, so other users' processes cannot signal or trace the recorder.
 *
 * <p>Linux keeps the fs ids per thread; {@link #call} switches only the calling thread and switches it back
 * afterwards, so a code path holds the user's identity exactly while it runs. A thread created inside the
 * section inherits it. glibc's {@code setgroups} would change every thread, so the groups are set with the
 * raw system call.
 *
 * <p>Thread-safe: instances are immutable and {@link #call} affects only the calling thread.
 */
public final class FileIdentity {
    /** The process' own identity: {@link #call} runs its body unchanged. */
    public static final FileIdentity PROCESS = new FileIdentity(-1, -1, new int[0], "");

    private static final Map<String, Integer> SYS_SETGROUPS = Map.of("amd64", 116, "x86_64", 116, "aarch64", 159);

    private interface C extends Library {
        int setfsuid(int uid);
        int setfsgid(int gid);
        int getgroups(int size, int[] list);
        long syscall(long number, Object... args);
        int geteuid();
        Pointer getpwuid(int uid);
        int getgrouplist(String user, int group, int[] groups, int[] ngroups);
    }

    private static final C C = Native.load("c", C.class);
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private final int uid, gid;
    private final int[] groups;
    private final String name;

    private FileIdentity(int uid, int gid, int[] groups, String name) {
        this.uid = uid;
        this.gid = gid;
        this.groups = groups;
        this.name = name;
    }

    /** Body of a section run under an identity. */
    @FunctionalInterface
    public interface Section<T> {
        T run() throws IOException;
    }

    /**
     * The user who asked a root process to record: {@code SUDO_UID} (sudo sets it after its own environment
     * checks, so a variable passed through sudo cannot override it), else {@code PKEXEC_UID} (pkexec clears
     * the environment and sets it), looked up in the user database for the group and supplementary groups.
     * {@link #PROCESS} when the process does not run as root or nobody else asked (root recording for itself).
     */
    public static FileIdentity invokingUser() throws IOException {
        return invokingUser(System.getenv());
    }

    static FileIdentity invokingUser(Map<String, String> env) throws IOException {
        if (C.geteuid() != 0) return PROCESS;
        String by = env.get("SUDO_UID") != null ? "SUDO_UID" : env.get("PKEXEC_UID") != null ? "PKEXEC_UID" : null;
        if (by == null) return PROCESS;
        int uid;
        try {
            uid = Integer.parseInt(env.get(by).strip());
        } catch (NumberFormatException e) {
            throw new IOException(by + " is not a user id");
        }
        if (uid == 0) return PROCESS;
        return ofUser(uid);
    }

    /** The identity of user {@code uid} from the user database: its primary group and every group it is in. */
    public static FileIdentity ofUser(int uid) throws IOException {
        if (uid < 0) throw new IOException("no such user: " + uid);
        Pointer pw = C.getpwuid(uid);
        if (pw == null) throw new IOException("user " + uid + " is not in the user database");
        String name = pw.getPointer(0).getString(0);
        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... } on LP64
        int gid = pw.getInt(2L * Native.POINTER_SIZE + 4);
        int[] n = {64};
        int[] list = new int[n[0]];
        for (int attempt = 0; C.getgrouplist(name, gid, list, n) < 0 && attempt < 4; attempt++) {
            if (n[0] > 65536) throw new IOException("user " + name + " is in too many groups");
            list = new int[n[0]];
        }
        return new FileIdentity(uid, gid, Arrays.copyOf(list, Math.min(n[0], list.length)), name);
    }

    /** The identity of user {@code uid}, group {@code gid} and no supplementary groups (tests). */
    public static FileIdentity of(int uid, int gid) {
        return new FileIdentity(uid, gid, new int[]{gid}, Integer.toString(uid));
    }

    /** Whether {@link #call} changes anything (false for {@link #PROCESS}). */
    public boolean switches() {
        return uid >= 0;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /**
     * Runs {@code body} with this thread's fsuid, fsgid and groups set to this identity, then restores them,
     * whatever {@code body} throws. Nested sections run their body directly.
     */
    public <T> T call(Section<T> body) throws IOException {
        if (!switches()) return body.run();
        int[] depth = DEPTH.get();
        if (depth[0] > 0) return body.run();
        int[] savedGroups = currentGroups();
        int savedFsuid = C.setfsuid(-1), savedFsgid = C.setfsgid(-1);
        depth[0]++;
        try {
            setGroups(groups);
            C.setfsgid(gid);
            C.setfsuid(uid);
            if (C.setfsuid(-1) != uid || C.setfsgid(-1) != gid) {
                throw new IOException("cannot take the file identity of " + this + " (setfsuid/setfsgid refused)");
            }
            return body.run();
        } finally {
            C.setfsuid(savedFsuid);
            C.setfsgid(savedFsgid);
            setGroups(savedGroups);
            depth[0]--;
        }
    }

    /** This thread's fsuid (for tests and checks). */
    public static int currentFsuid() {
        return C.setfsuid(-1);
    }

    private static int[] currentGroups() throws IOException {
        int n = C.getgroups(0, null);
        int[] list = new int[Math.max(n, 0)];
        if (n > 0 && C.getgroups(n, list) != n) throw new IOException("getgroups failed");
        return list;
    }

    private static void setGroups(int[] list) throws IOException {
        Integer nr = SYS_SETGROUPS.get(System.getProperty("os.arch"));
        if (nr == null) throw new IOException("setting a thread's groups is not supported on " + System.getProperty("os.arch"));
        Memory m = new Memory(4L * Math.max(1, list.length));
        for (int i = 0; i < list.length; i++) m.setInt(4L * i, list[i]);
        if (C.syscall(nr, (long) list.length, m) != 0) {
            throw new IOException("cannot set this thread's groups: errno " + Native.getLastError());
        }
    }

    @Override
    public String toString() {
        return switches() ? name + " (uid " + uid + ", gid " + gid + ")" : "this process";
    }
}
