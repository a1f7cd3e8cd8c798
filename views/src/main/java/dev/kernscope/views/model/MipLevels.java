package dev.kernscope.views.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The levels of a mipmap: the raw block, then merges of it at 1 µs buckets ×4 per level until a level has at
 * most 64 entries or a bucket spans the trace. Immutable after construction; safe to read from any thread.
 */
final class MipLevels<B> {
    static final long BASE_BUCKET = 1024;
    private final List<B> levels = new ArrayList<>(); // level 0 = raw
    private final List<Long> buckets = new ArrayList<>();

    /** Merges a whole block into buckets of the given width. */
    interface Merge<B> {
        B apply(B block, long bucket);
    }

    MipLevels(B raw, long span, ToIntFunction<B> size, Merge<B> merge) {
        levels.add(raw);
        buckets.add(1L);
        long b = BASE_BUCKET;
        B prev = raw;
        while (size.applyAsInt(prev) > 64 && b / 4 < Math.max(span, 1)) {
            B next = merge.apply(prev, b);
            levels.add(next);
            buckets.add(b);
            prev = next;
            b *= 4;
        }
    }

    /** The coarsest level whose bucket is at most {@code nsPerPixel}; the raw level when none is. */
    B at(long nsPerPixel) {
        int lvl = 0;
        for (int i = buckets.size() - 1; i > 0; i--) {
            if (buckets.get(i) <= nsPerPixel) { lvl = i; break; }
        }
        return levels.get(lvl);
    }
}
