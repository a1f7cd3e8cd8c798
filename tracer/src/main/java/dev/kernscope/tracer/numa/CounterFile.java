package dev.kernscope.tracer.numa;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * One kernel counter file ({@code numastat}, node {@code meminfo}, {@code /proc/vmstat}) kept open and
 * re-read from offset 0 on every sample into a reused buffer. The counter names are discovered on the
 * first read (filtered) and then matched in place, so a sample allocates nothing.
 *
 * <p>Not thread-safe: one sampler thread owns it.
 */
final class CounterFile implements AutoCloseable {
    /** Layout of the lines. */
    enum Format {
        /** {@code name value} (numastat, vmstat). */
        PLAIN,
        /** {@code Node N Name: value kB} (node meminfo); values are converted to bytes. */
        NODE_MEMINFO
    }

    private final Path path;
    private final Format format;
    private final Predicate<String> wanted;
    private FileChannel ch;
    private ByteBuffer buf = ByteBuffer.allocate(8192);
    private byte[][] nameBytes = new byte[0][];
    private String[] names = new String[0];
    private long[] values = new long[0];
    private long[] previous = new long[0];
    private boolean hasPrevious;
    private boolean[] seen = new boolean[0];

    CounterFile(Path path, Format format, Predicate<String> wanted) {
        this.path = path;
        this.format = format;
        this.wanted = wanted;
    }

    /** Number of counters found by the first read. */
    int size() {
        return names.length;
    }

    String name(int i) {
        return names[i];
    }

    long value(int i) {
        return values[i];
    }

    /** Change of counter {@code i} since the previous read, 0 after the first. */
    long delta(int i) {
        return hasPrevious && i < previous.length ? values[i] - previous[i] : 0;
    }

    /** False if the counter was missing from the last read. */
    boolean present(int i) {
        return seen[i];
    }

    /** Re-reads the file; returns false if it cannot be read (then values are stale). */
    boolean read() throws IOException {
        if (ch == null) {
            try {
                ch = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                return false;
            }
        }
        if (names.length > 0) {
            if (previous.length != values.length) previous = new long[values.length];
            System.arraycopy(values, 0, previous, 0, values.length);
            hasPrevious = true;
        }
        int len = fill();
        byte[] b = buf.array();
        boolean first = names.length == 0;
        Arrays.fill(seen, false);
        int hint = 0;
        int i = 0;
        while (i < len) {
            int eol = i;
            while (eol < len && b[eol] != '\n') eol++;
            int nameStart = i, nameEnd;
            if (format == Format.NODE_MEMINFO) {
                nameStart = skipToken(b, skipSpaces(b, skipToken(b, i, eol), eol), eol); // "Node" "N"
                nameStart = skipSpaces(b, nameStart, eol);
                nameEnd = skipToken(b, nameStart, eol);
                if (nameEnd > nameStart && b[nameEnd - 1] == ':') nameEnd--;
            } else {
                nameEnd = skipToken(b, nameStart, eol);
            }
            int v = skipSpaces(b, format == Format.NODE_MEMINFO ? nameEnd + 1 : nameEnd, eol);
            if (nameEnd > nameStart && v < eol && b[v] >= '0' && b[v] <= '9') {
                long value = 0;
                while (v < eol && b[v] >= '0' && b[v] <= '9') value = value * 10 + (b[v++] - '0');
                if (format == Format.NODE_MEMINFO && v + 3 <= eol && b[v + 1] == 'k') value *= 1024;
                int idx = find(b, nameStart, nameEnd, hint);
                if (idx < 0 && first) idx = add(new String(b, nameStart, nameEnd - nameStart, StandardCharsets.US_ASCII));
                if (idx >= 0) {
                    values[idx] = value;
                    seen[idx] = true;
                    hint = idx + 1;
                }
            }
            i = eol + 1;
        }
        return true;
    }

    private int fill() throws IOException {
        buf.clear();
        long pos = 0;
        while (true) {
            int n = ch.read(buf, pos);
            if (n <= 0) break;
            pos += n;
            if (!buf.hasRemaining()) {
                // Counter files are small; grow once to the size they need and keep it.
                ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 2);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }
        return buf.position();
    }

    private int find(byte[] b, int from, int to, int hint) {
        int n = names.length;
        for (int k = 0; k < n; k++) {
            int idx = (hint + k) % n;
            byte[] nb = nameBytes[idx];
            if (nb.length == to - from && Arrays.equals(nb, 0, nb.length, b, from, to)) return idx;
        }
        return -1;
    }

    private int add(String name) {
        if (!wanted.test(name)) return -1;
        int n = names.length;
        names = Arrays.copyOf(names, n + 1);
        nameBytes = Arrays.copyOf(nameBytes, n + 1);
        values = Arrays.copyOf(values, n + 1);
        seen = Arrays.copyOf(seen, n + 1);
        names[n] = name;
        nameBytes[n] = name.getBytes(StandardCharsets.US_ASCII);
        return n;
    }

    private static int skipToken(byte[] b, int i, int end) {
        while (i < end && b[i] != ' ' && b[i] != '\t') i++;
        return i;
    }

    private static int skipSpaces(byte[] b, int i, int end) {
        while (i < end && (b[i] == ' ' || b[i] == '\t')) i++;
        return i;
    }

    @Override
    public void close() throws IOException {
        if (ch != null) ch.close();
        ch = null;
    }
}
