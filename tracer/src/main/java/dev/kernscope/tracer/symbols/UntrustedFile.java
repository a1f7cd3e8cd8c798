package dev.kernscope.tracer.symbols;

import com.sun.jna.Memory;
import dev.kernscope.tracer.bpf.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A regular file that another user's process may have named, read as root without letting that user steer
 * the read: no symlink is followed at the last component, nothing blocks (a FIFO or device is refused before
 * it is ever opened for reading), the size is capped, and every read is checked against the file's size.
 *
 * <p>How: the path is first opened {@code O_PATH|O_NOFOLLOW} (which opens nothing: no FIFO wait, no device
 * side effect), {@code fstat} says it is a regular file of acceptable size, and only then is that very inode
 * re-opened for reading through {@code /proc/self/fd/N}. Paths below {@code /proc/PID/root/} are resolved with
 * {@code openat2(RESOLVE_IN_ROOT)}, so the process's own symlinks cannot lead outside its root; paths in
 * {@code /proc/PID/map_files/} follow their kernel link, which names the exact mapped file. Reads are
 * {@code pread}s into heap arrays: a file truncated while we read gives a short read, never a SIGBUS.
 *
 * <p>Not thread-safe: one owner reads and closes it.
 */
public final class UntrustedFile implements AutoCloseable {
    private static final int S_IFMT = 0170000, S_IFREG = 0100000;

    private final Path path;
    private final long size;
    private final int uid;
    private final long mtimeNs;
    private final long dev, ino;
    private int fd;

    private UntrustedFile(Path path, int fd, Memory st) {
        this.path = path;
        this.fd = fd;
        this.size = st.getLong(LibC.ST_SIZE);
        this.uid = st.getInt(LibC.ST_UID);
        this.mtimeNs = st.getLong(LibC.ST_MTIME) * 1_000_000_000L + st.getLong(LibC.ST_MTIME + 8);
        this.dev = st.getLong(LibC.ST_DEV);
        this.ino = st.getLong(LibC.ST_INO);
    }

    /** Opens {@code path} for reading if it is a regular file of at most {@code maxSize} bytes. */
    public static UntrustedFile open(Path path, long maxSize) throws IOException {
        int pathFd = openPath(path);
        try {
            Memory st = new Memory(LibC.STAT_SIZE);
            int err = LibC.fstat(pathFd, st);
            if (err != 0) throw new IOException(path + ": fstat failed: " + LibC.strerror(err));
            int mode = st.getInt(LibC.ST_MODE);
            if ((mode & S_IFMT) != S_IFREG) throw new IOException(path + ": not a regular file, not read");
            if (st.getLong(LibC.ST_SIZE) > maxSize) {
                throw new IOException(path + ": larger than " + maxSize + " bytes, not read");
            }
            int fd = LibC.openat2(LibC.AT_FDCWD, "/proc/self/fd/" + pathFd, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
            if (fd < 0) throw new IOException(path + ": " + LibC.strerror(-fd));
            Memory st2 = new Memory(LibC.STAT_SIZE);
            if (LibC.fstat(fd, st2) != 0 || st2.getLong(LibC.ST_INO) != st.getLong(LibC.ST_INO)
                    || st2.getLong(LibC.ST_DEV) != st.getLong(LibC.ST_DEV)) {
                LibC.close(fd);
                throw new IOException(path + ": changed while being opened");
            }
            return new UntrustedFile(path, fd, st2);
        } finally {
            LibC.close(pathFd);
        }
    }

    /** An {@code O_PATH} descriptor for {@code path}, resolved as the class comment says. */
    private static int openPath(Path path) throws IOException {
        long flags = LibC.O_PATH | LibC.O_CLOEXEC;
        String s = path.toString();
        int fd;
        int n = path.getNameCount();
        if (path.isAbsolute() && n >= 4 && path.getName(0).toString().equals("proc")
                && path.getName(2).toString().equals("root") && isPid(path.getName(1).toString())) {
            int root = LibC.openat2(LibC.AT_FDCWD, path.getRoot().resolve(path.subpath(0, 3)).toString(),
                    LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
            if (root < 0) throw new IOException(path + ": " + LibC.strerror(-root));
            try {
                fd = LibC.openat2(root, path.subpath(3, n).toString(), flags | LibC.O_NOFOLLOW,
                        LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
            } finally {
                LibC.close(root);
            }
        } else if (path.isAbsolute() && n == 4 && path.getName(0).toString().equals("proc")
                && path.getName(2).toString().equals("map_files") && isPid(path.getName(1).toString())) {
            fd = LibC.openat2(LibC.AT_FDCWD, s, flags, 0); // the kernel's link to the mapped file itself
        } else {
            fd = LibC.openat2(LibC.AT_FDCWD, s, flags | LibC.O_NOFOLLOW, 0);
        }
        if (fd < 0) throw new IOException(path + ": " + LibC.strerror(-fd));
        return fd;
    }

    private static boolean isPid(String s) {
        if (s.isEmpty() || s.length() > 10) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    public Path path() {
        return path;
    }

    /** The size {@code fstat} gave at open (0 for most {@code /proc} files). */
    public long size() {
        return size;
    }

    /** The owner's uid. */
    public int uid() {
        return uid;
    }

    /** Modification time in ns since the epoch. */
    public long mtimeNs() {
        return mtimeNs;
    }

    /** The device of the file, for identity checks with {@link #ino()}. */
    public long dev() {
        return dev;
    }

    public long ino() {
        return ino;
    }

    /**
     * Reads {@code len} bytes at {@code offset}, which must lie inside the file as {@code fstat} saw it; throws
     * when the range is outside it or the file was cut short meanwhile.
     */
    public byte[] read(long offset, long len) throws IOException {
        if (offset < 0 || len < 0 || len > Integer.MAX_VALUE - 8 || offset > size - len) {
            throw new IOException(path + ": range " + offset + "+" + len + " outside the file (" + size + " bytes)");
        }
        byte[] out = new byte[(int) len];
        int got = readInto(out, offset);
        if (got < len) throw new IOException(path + ": shorter than expected (truncated while read?)");
        return out;
    }

    /** {@link #read} as a little-endian buffer. */
    public ByteBuffer buffer(long offset, long len) throws IOException {
        return ByteBuffer.wrap(read(offset, len)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads from the start until end of file, for files whose {@code fstat} size means nothing ({@code /proc});
     * throws when there are more than {@code cap} bytes.
     */
    public byte[] readAll(int cap) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        while (true) {
            int got = readInto(chunk, out.size());
            if (out.size() + (long) got > cap) throw new IOException(path + ": more than " + cap + " bytes, not read");
            out.write(chunk, 0, got);
            if (got < chunk.length) return out.toByteArray();
        }
    }

    /**
     * Calls {@code action} with each line (without its newline) from the start until end of file, reading 64 KiB
     * at a time; throws when the file holds more than {@code maxTotal} bytes or a line longer than
     * {@code maxLine}. Lines are decoded as UTF-8.
     */
    public void forEachLine(int maxLine, long maxTotal, java.util.function.Consumer<String> action) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        byte[] line = new byte[256];
        int len = 0;
        long off = 0;
        while (true) {
            int got = readInto(chunk, off);
            off += got;
            if (off > maxTotal) throw new IOException(path + ": more than " + maxTotal + " bytes, not read");
            for (int i = 0; i < got; i++) {
                byte c = chunk[i];
                if (c == '\n') {
                    action.accept(new String(line, 0, len, java.nio.charset.StandardCharsets.UTF_8));
                    len = 0;
                    continue;
                }
                if (len == maxLine) throw new IOException(path + ": a line longer than " + maxLine + " bytes, not read");
                if (len == line.length) line = java.util.Arrays.copyOf(line, Math.min(maxLine, len * 2));
                line[len++] = c;
            }
            if (got < chunk.length) break;
        }
        if (len > 0) action.accept(new String(line, 0, len, java.nio.charset.StandardCharsets.UTF_8));
    }

    private int readInto(byte[] out, long offset) throws IOException {
        if (fd < 0) throw new IOException(path + ": closed");
        int done = 0;
        while (done < out.length) {
            byte[] dst = done == 0 ? out : new byte[out.length - done];
            long n = LibC.pread(fd, dst, dst.length, offset + done);
            if (n == -4 /* EINTR */) continue;
            if (n < 0) throw new IOException(path + ": read failed: " + LibC.strerror((int) -n));
            if (n == 0) break;
            if (dst != out) System.arraycopy(dst, 0, out, done, (int) n);
            done += (int) n;
        }
        return done;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
    }
}
