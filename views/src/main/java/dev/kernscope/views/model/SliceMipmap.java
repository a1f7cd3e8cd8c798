package dev.kernscope.views.model;

/**
 * Non-overlapping slices of one track with pre-merged coarser levels (bucket 1 µs, ×4 per level), so a
 * window query touches O(pixels) entries whatever the zoom. Immutable after construction; safe to query from
 * any thread.
 */
final class SliceMipmap {
    private final MipLevels<SliceBlock> levels;

    SliceMipmap(SliceBlock raw, long span) {
        levels = new MipLevels<>(raw, span, s -> s.size, (s, b) -> merge(s, 0, s.size, b, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    SliceBlock query(long from, long to, long nsPerPixel) {
        SliceBlock src = levels.at(nsPerPixel);
        int first = firstEndingAfter(src, from);
        int last = first;
        while (last < src.size && src.ts[last] < to) last++;
        if (nsPerPixel <= 1) return copy(src, first, last);
        return merge(src, first, last, nsPerPixel, from, to);
    }

    /** First entry whose end is after {@code t}: ends are sorted because entries do not overlap. */
    private static int firstEndingAfter(SliceBlock s, long t) {
        int lo = 0, hi = s.size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s.ts[mid] + s.dur[mid] <= t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static SliceBlock copy(SliceBlock s, int from, int to) {
        SliceBlock out = new SliceBlock(Math.max(0, to - from));
        for (int i = from; i < to; i++) out.add(s.ts[i], s.dur[i], s.utid[i], s.endState[i], s.latency[i], s.merged[i]);
        return out;
    }

    /**
     * Keeps entries at least one bucket long; runs of shorter entries starting in the same bucket become one
     * entry spanning them, labelled with the longest member.
     */
    static SliceBlock merge(SliceBlock s, int from, int to, long bucket, long clipFrom, long clipTo) {
        SliceBlock out = new SliceBlock(Math.min(to - from, 1024) + 1);
        int i = from;
        while (i < to) {
            long t = s.ts[i], d = s.dur[i];
            if (d >= bucket) {
                out.add(t, d, s.utid[i], s.endState[i], s.latency[i], s.merged[i]);
                i++;
                continue;
            }
            long key = Math.floorDiv(t, bucket);
            long start = t, end = t + d, best = d;
            int bu = s.utid[i], count = s.merged[i];
            byte st = s.endState[i];
            long lat = s.latency[i];
            int j = i + 1;
            while (j < to && s.dur[j] < bucket && Math.floorDiv(s.ts[j], bucket) == key) {
                end = Math.max(end, s.ts[j] + s.dur[j]);
                count += s.merged[j];
                if (s.dur[j] > best) { best = s.dur[j]; bu = s.utid[j]; st = s.endState[j]; lat = s.latency[j]; }
                j++;
            }
            out.add(start, end - start, bu, st, lat, count);
            i = j;
        }
        return out;
    }
}
