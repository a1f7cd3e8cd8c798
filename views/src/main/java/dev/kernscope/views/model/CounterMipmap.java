package dev.kernscope.views.model;

import java.util.ArrayList;
import java.util.List;

/** A step series with max-merged coarser levels, like {@link SliceMipmap}. Immutable; safe from any thread. */
final class CounterMipmap {
    private final List<CounterBlock> levels = new ArrayList<>();
    private final List<Long> buckets = new ArrayList<>();

    CounterMipmap(CounterBlock raw, long span) {
        levels.add(raw);
        buckets.add(1L);
        long b = SliceMipmap.BASE_BUCKET;
        CounterBlock prev = raw;
        while (prev.size > 64 && b / 4 < Math.max(span, 1)) {
            CounterBlock next = merge(prev, 0, prev.size, b);
            levels.add(next);
            buckets.add(b);
            prev = next;
            b *= 4;
        }
    }

    CounterBlock query(long from, long to, long nsPerPixel) {
        int lvl = 0;
        for (int i = buckets.size() - 1; i > 0; i--) {
            if (buckets.get(i) <= nsPerPixel) { lvl = i; break; }
        }
        CounterBlock src = levels.get(lvl);
        int lo = 0, hi = src.size;
        while (lo < hi) { // last sample at or before from
            int mid = (lo + hi) >>> 1;
            if (src.ts[mid] <= from) lo = mid + 1; else hi = mid;
        }
        int first = Math.max(0, lo - 1);
        int last = first;
        while (last < src.size && src.ts[last] < to) last++;
        return merge(src, first, last, Math.max(1, nsPerPixel));
    }

    private static CounterBlock merge(CounterBlock s, int from, int to, long bucket) {
        CounterBlock out = new CounterBlock(Math.min(to - from, 1024) + 1);
        int i = from;
        while (i < to) {
            long key = Math.floorDiv(s.ts[i], bucket);
            double max = s.value[i];
            long t = s.ts[i];
            int j = i + 1;
            while (j < to && Math.floorDiv(s.ts[j], bucket) == key) { max = Math.max(max, s.value[j]); j++; }
            out.add(t, max);
            i = j;
        }
        return out;
    }
}
