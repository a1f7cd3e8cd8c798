package dev.kernscope.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Brendan Gregg's folded-stack text: one line per distinct stack, frames root first joined by {@code ;},
 * a space, and the weight, which flamegraph.pl, speedscope, inferno and Hotspot read. Weights are in ns in
 * every mode (on-CPU samples weigh their sampling period), so that on-, off-CPU and wall graphs share one
 * unit. As {@code stackcollapse-perf.pl --all} does, kernel frames end in {@code _[k]} and JIT frames in
 * {@code _[j]}, which flamegraph.pl's {@code --color=java} colours. A {@code ;} inside a name is written
 * as {@code :} and line breaks as spaces, since the format has no escapes.
 *
 * <p>Stateless and thread-safe.
 */
public final class FoldedStacks {
    /** One parsed line: frames root first, as written (annotations kept), and the weight. */
    public record Line(List<String> frames, long weight) {}

    private FoldedStacks() {}

    /** Writes the top-down query {@code filter} of {@code reader} as folded stacks: what the CLI's export calls. */
    public static void export(TraceReader reader, FlameQueries.Filter filter, Writer out) throws IOException {
        write(new FlameQueries(reader).tree(filter), out);
    }

    /**
     * Writes every node of a top-down tree that has self weight, in the tree's (name) order. Stacks that
     * differ only in frames the tree merged (same name, module and kind) come out as one line.
     */
    public static void write(FlameTree tree, Writer out) throws IOException {
        if (tree.inverted()) throw new IllegalArgumentException("folded stacks are written from a top-down tree");
        int[] lengthAtDepth = new int[tree.maxDepth() + 2];
        StringBuilder path = new StringBuilder(256);
        for (int n = 1; n < tree.size(); n++) {
            int d = tree.depth(n);
            path.setLength(lengthAtDepth[d - 1]);
            if (d > 1) path.append(';');
            appendFrame(path, tree.name(n), tree.kind(n));
            lengthAtDepth[d] = path.length();
            if (tree.self(n) > 0) {
                out.append(path).append(' ').append(Long.toString(tree.self(n))).append('\n');
            }
        }
        out.flush();
    }

    /**
     * Writes a differential tree as the two-column folded format of {@code difffolded.pl} and
     * {@code flamegraph.pl}: {@code stack weightA weightB}, one line per call path with self weight in either.
     */
    public static void writeDiff(DiffTree tree, Writer out) throws IOException {
        int[] lengthAtDepth = new int[tree.maxDepth() + 2];
        StringBuilder path = new StringBuilder(256);
        for (int n = 1; n < tree.size(); n++) {
            int d = tree.depth(n);
            path.setLength(lengthAtDepth[d - 1]);
            if (d > 1) path.append(';');
            appendFrame(path, tree.name(n), tree.kind(n));
            lengthAtDepth[d] = path.length();
            if (tree.selfA(n) > 0 || tree.selfB(n) > 0) {
                out.append(path).append(' ').append(Long.toString(tree.selfA(n))).append(' ')
                        .append(Long.toString(tree.selfB(n))).append('\n');
            }
        }
        out.flush();
    }

    /** The folded spelling of one frame: name cleaned of separators, with its kind's annotation. */
    public static String frame(String name, int kind) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        appendFrame(sb, name, kind);
        return sb.toString();
    }

    private static void appendFrame(StringBuilder sb, String name, int kind) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(c == ';' ? ':' : c == '\n' || c == '\r' ? ' ' : c);
        }
        if (kind == TraceWriter.FRAME_KERNEL) sb.append("_[k]");
        else if (kind == TraceWriter.FRAME_JIT) sb.append("_[j]");
    }

    /**
     * Reads folded stacks; blank lines are skipped. The weight is what follows the last space, so frame
     * names may contain spaces.
     *
     * @throws IOException for a line without a numeric weight, naming the line
     */
    public static List<Line> parse(Reader in) throws IOException {
        List<Line> out = new ArrayList<>();
        BufferedReader r = in instanceof BufferedReader br ? br : new BufferedReader(in);
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            if (line.isBlank()) continue;
            int sp = line.lastIndexOf(' ');
            long weight;
            try {
                weight = sp < 0 ? -1 : Long.parseLong(line.substring(sp + 1).trim());
            } catch (NumberFormatException e) {
                weight = -1;
            }
            if (weight < 0) throw new IOException("folded stacks, line " + no + ": no weight at the end of '" + line + "'");
            out.add(new Line(List.copyOf(Arrays.asList(line.substring(0, sp).split(";"))), weight));
        }
        return out;
    }
}
