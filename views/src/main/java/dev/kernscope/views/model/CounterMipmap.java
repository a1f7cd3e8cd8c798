package dev.kernscope.views.model;

/** A step series with max-merged coarser levels, like {@link SliceMipmap}. Immutable; safe from any thread. */
final class CounterMipmap {
    private final MipLevels<CounterBlock> levels;

    CounterMipmap(CounterBlock raw, long span) {
        levels = new MipLevels<>(raw, span, c -> c.size, (c, b) -> merge(c, 0, c.size, b));
    }

    CounterBlock query(long from, long to, long nsPerPixel) {
        CounterBlock src = levels.at(nsPerPixel);
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
