package dev.kernscope.app.adapt;

import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.views.model.CallTree;
import dev.kernscope.views.model.FlameData;
import dev.kernscope.views.model.FlameMode;
import dev.kernscope.views.model.FrameKind;
import dev.kernscope.views.model.FrameTable;
import java.io.IOException;

/**
 * The flame graph's {@link FlameData} from storage's {@link FlameQueries}, whose aggregated trees are copied
 * into the views' model without re-aggregating. Stateless; call off the FX thread.
 */
public final class FlameModels {
    private FlameModels() {}

    public static FlameQueries.Mode mode(FlameMode m) {
        return switch (m) {
            case ON_CPU -> FlameQueries.Mode.ON;
            case OFF_CPU -> FlameQueries.Mode.OFF;
            case WALL_CLOCK -> FlameQueries.Mode.WALL;
        };
    }

    /**
     * The trees for {@code filter}, or null when no sample matches (the graph then shows its placeholder). The
     * top-down tree is storage's aggregation copied across array by array; the bottom-up one is queried when the
     * graph is first inverted.
     */
    public static FlameData build(FlameQueries q, FlameQueries.Filter filter) throws IOException {
        FlameTree t = q.tree(filter);
        if (t.size() <= 1 || t.total(0) == 0) return null;
        return FlameData.of(callTree(t, false), () -> {
            try {
                return callTree(q.inverted(filter), true);
            } catch (IOException e) {
                return null; // the graph stays top-down; the next query reports the file's problem
            }
        });
    }

    /** A top-down tree built elsewhere (the critical path's stacks), or null when it holds no sample; not invertible. */
    public static FlameData of(FlameTree t) {
        if (t.size() <= 1 || t.total(0) == 0) return null;
        return FlameData.of(callTree(t, false), () -> null);
    }

    /** Copies a storage {@link FlameTree} into a views {@link CallTree} in O(nodes). */
    static CallTree callTree(FlameTree t, boolean inverted) {
        FrameTable frames = new FrameTable();
        int[] ids = new int[t.frameCount()];
        for (int f = 0; f < ids.length; f++) {
            ids[f] = frames.intern(t.frameName(f), kind(t.frameKind(f)));
            frames.alias(ids[f], t.frameMangled(f));
        }
        int n = t.size();
        int[] parent = new int[n], frame = new int[n];
        long[] self = new long[n], total = new long[n], samples = new long[n];
        for (int i = 0; i < n; i++) {
            parent[i] = t.parent(i);
            frame[i] = t.frameId(i) < 0 ? -1 : ids[t.frameId(i)];
            self[i] = t.self(i);
            total[i] = t.total(i);
            samples[i] = t.totalSamples(i);
        }
        return CallTree.of(frames, inverted, parent, frame, self, total, samples);
    }

    static FrameKind kind(int k) {
        return switch (k) {
            case TraceWriter.FRAME_KERNEL -> FrameKind.KERNEL;
            case TraceWriter.FRAME_USER -> FrameKind.USER;
            case TraceWriter.FRAME_JIT -> FrameKind.JIT;
            default -> FrameKind.UNKNOWN;
        };
    }
}
