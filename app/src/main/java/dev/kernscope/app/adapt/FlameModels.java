package dev.kernscope.app.adapt;

import dev.kernscope.storage.FlameQueries;
import dev.kernscope.storage.FlameTree;
import dev.kernscope.storage.TraceWriter;
import dev.kernscope.views.model.CallTreeBuilder;
import dev.kernscope.views.model.FlameData;
import dev.kernscope.views.model.FlameMode;
import dev.kernscope.views.model.FrameKind;
import dev.kernscope.views.model.FrameTable;
import java.io.IOException;

/**
 * The flame graph's {@link FlameData} from storage's {@link FlameQueries}: the top-down {@link FlameTree} of a
 * filter is re-added stack by stack (each node's self weight along its path) into the views' call-tree builder,
 * which also derives the bottom-up tree on first use. Stateless; call off the FX thread.
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

    /** The trees for {@code filter}, or null when no sample matches (the graph then shows its placeholder). */
    public static FlameData build(FlameQueries q, FlameQueries.Filter filter) throws IOException {
        FlameTree t = q.tree(filter);
        if (t.size() <= 1 || t.total(0) == 0) return null;
        FrameTable frames = new FrameTable();
        int[] ids = new int[t.frameCount()];
        for (int f = 0; f < ids.length; f++) ids[f] = frames.intern(t.frameName(f), kind(t.frameKind(f)));
        CallTreeBuilder b = new CallTreeBuilder(frames);
        int[] path = new int[t.maxDepth() + 1];
        for (int n = 1; n < t.size(); n++) {
            if (t.self(n) == 0) continue;
            int d = t.depth(n);
            for (int x = n, i = d - 1; x > 0 && i >= 0; x = t.parent(x), i--) path[i] = ids[t.frameId(x)];
            b.addStack(path, d, t.self(n));
        }
        return FlameData.of(b);
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
