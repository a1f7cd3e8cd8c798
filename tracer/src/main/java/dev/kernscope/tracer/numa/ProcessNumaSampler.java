package dev.kernscope.tracer.numa;

import dev.kernscope.storage.TraceWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * Samples how many pages of the busiest processes are resident on each node, from
 * {@code /proc/PID/numa_maps}. Counts are in base pages (4 KiB): a huge-page mapping's {@code N<node>=}
 * count is scaled by its {@code kernelpagesize_kB}. Reading numa_maps walks the process's page tables, so
 * only the top {@code limit} processes by resident size are sampled (or a fixed pid list).
 *
 * <p>Not thread-safe: call {@link #sample} from the thread that owns the {@link TraceWriter}.
 */
public final class ProcessNumaSampler {
    /** Default sampling period. */
    public static final long DEFAULT_PERIOD_NS = 1_000_000_000L;
    /** Default number of processes sampled. */
    public static final int DEFAULT_LIMIT = 8;
    private static final int BASE_PAGE_KB = 4;

    private final SysRoot root;
    private final int maxNode;
    private final IntUnaryOperator pidToUpid;
    private final Supplier<int[]> pids;
    private final int limit;
    private ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private final long[] pages;
    private final ByteBuffer statm = ByteBuffer.allocate(128);

    /**
     * @param pidToUpid the recorder's process table: tgid → upid, 0 when the pid is unknown (then skipped)
     * @param pids      the processes to sample, or null to pick the top {@code limit} by resident size
     */
    public ProcessNumaSampler(SysRoot root, NumaTopology topology, IntUnaryOperator pidToUpid, Supplier<int[]> pids,
                              int limit) {
        this.root = root;
        int max = 0;
        for (NumaTopology.Node n : topology.nodes()) max = Math.max(max, n.node());
        this.maxNode = max;
        this.pages = new long[max + 1];
        this.pidToUpid = pidToUpid;
        this.pids = pids;
        this.limit = limit;
    }

    /**
     * Writes one {@code process_numa_pages} row per node (zeros included, so the latest sample of a process
     * is complete) for each sampled process that is still alive and known to the recorder.
     */
    public void sample(long ts, TraceWriter w) throws IOException {
        int[] chosen = pids != null ? pids.get() : topByRss(limit);
        for (int pid : chosen) {
            int upid = pidToUpid.applyAsInt(pid);
            if (upid <= 0) continue;
            if (!pagesOf(pid, pages)) continue;
            for (int node = 0; node <= maxNode; node++) w.processNumaPages(ts, upid, node, pages[node]);
        }
    }

    /**
     * Sums {@code /proc/PID/numa_maps} into {@code out[node]} (base pages); false if the process is gone,
     * unreadable, or has no mappings left (exiting: its zeros would read as the pages' last place). Nodes beyond
     * {@code out} are ignored.
     */
    public boolean pagesOf(int pid, long[] out) throws IOException {
        Arrays.fill(out, 0);
        int len;
        try (FileChannel ch = FileChannel.open(root.proc(pid + "/numa_maps"), StandardOpenOption.READ)) {
            buf.clear();
            while (ch.read(buf) > 0) {
                if (!buf.hasRemaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 2);
                    buf.flip();
                    bigger.put(buf);
                    buf = bigger;
                }
            }
            len = buf.position();
        } catch (IOException e) {
            return false;
        }
        return parse(buf.array(), len, out) > 0;
    }

    /**
     * Parses numa_maps text: per line, {@code N<node>=<count>} tokens times {@code kernelpagesize_kB}/4.
     * Returns the number of mappings (non-empty lines).
     */
    static int parse(byte[] b, int len, long[] out) {
        long[] line = new long[out.length];
        int i = 0, mappings = 0;
        while (i < len) {
            Arrays.fill(line, 0);
            long pageKb = BASE_PAGE_KB;
            int eol = i;
            while (eol < len && b[eol] != '\n') eol++;
            int t = i;
            while (t < eol) {
                while (t < eol && b[t] == ' ') t++;
                if (t >= eol) break;
                int end = t;
                while (end < eol && b[end] != ' ') end++;
                if (b[t] == 'N' && t + 1 < end && isDigit(b[t + 1])) {
                    int k = t + 1;
                    int node = 0;
                    while (k < end && isDigit(b[k])) node = node * 10 + (b[k++] - '0');
                    if (k < end && b[k] == '=' && node < line.length) line[node] += number(b, k + 1, end);
                } else if (startsWith(b, t, end, KPS)) {
                    pageKb = number(b, t + KPS.length, end);
                }
                t = end;
            }
            long scale = Math.max(1, pageKb / BASE_PAGE_KB);
            for (int n = 0; n < out.length; n++) out[n] += line[n] * scale;
            if (eol > i) mappings++;
            i = eol + 1;
        }
        return mappings;
    }

    private static final byte[] KPS = "kernelpagesize_kB=".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
    }

    private static long number(byte[] b, int from, int to) {
        long v = 0;
        for (int k = from; k < to && isDigit(b[k]); k++) v = v * 10 + (b[k] - '0');
        return v;
    }

    /** The {@code n} pids with the largest resident size (second field of /proc/PID/statm), largest first. */
    public int[] topByRss(int n) throws IOException {
        int[] top = new int[n];
        long[] rss = new long[n];
        int count = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.path("proc"))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                int pid;
                try {
                    pid = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                long r = residentPages(p.resolve("statm"));
                if (r <= 0) continue; // kernel threads have no user memory
                int at = count < n ? count++ : n;
                if (at == n) {
                    if (r <= rss[n - 1]) continue;
                    at = n - 1;
                }
                while (at > 0 && rss[at - 1] < r) {
                    rss[at] = rss[at - 1];
                    top[at] = top[at - 1];
                    at--;
                }
                rss[at] = r;
                top[at] = pid;
            }
        }
        return Arrays.copyOf(top, count);
    }

    private long residentPages(Path statmPath) {
        try (FileChannel ch = FileChannel.open(statmPath, StandardOpenOption.READ)) {
            statm.clear();
            ch.read(statm);
            byte[] b = statm.array();
            int len = statm.position();
            int i = 0;
            while (i < len && b[i] != ' ') i++;
            return number(b, i + 1, len);
        } catch (IOException e) {
            return -1;
        }
    }
}
