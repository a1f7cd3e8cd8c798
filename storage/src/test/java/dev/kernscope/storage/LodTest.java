package dev.kernscope.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LOD query returns about one row per pixel at any zoom and still accounts for every slice. */
class LodTest {
    @TempDir
    static Path dir;
    static Path trace;

    @BeforeAll
    static void generate() throws IOException {
        trace = dir.resolve("lod.ktrace");
        SyntheticTrace.generate(trace, new SyntheticTrace.Params(7, 4, 2, 8, 3, 3.0, 20_000, false, false));
    }

    @Test
    void atMostTwoRowsPerPixelAndNothingLost() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        try (TraceReader r = TraceReader.open(trace)) {
            long[] b = r.bounds();
            for (int iter = 0; iter < 40; iter++) {
                int width = 200 + rnd.nextInt(1800);
                long span = (long) Math.max(1_000, (b[1] - b[0]) * Math.pow(10, -rnd.nextDouble() * 5));
                long from = b[0] + (long) (rnd.nextDouble() * (b[1] - b[0] - span));
                long to = from + span;
                double nsPerPx = (double) span / width;
                int cpu = rnd.nextInt(4);
                SliceBlock lod = r.slicesLod(cpu, from, to, nsPerPx);
                SliceBlock raw = r.slices(cpu, from, to);
                assertThat(lod.size()).as("rows for %d px", width).isLessThanOrEqualTo(width + 1);
                long rawCount = 0, rawBusy = 0, lodCount = 0, lodBusy = 0;
                for (int i = 0; i < raw.size(); i++) {
                    if (raw.ts[i] >= from) {
                        rawCount++;
                        rawBusy += raw.dur[i];
                    }
                    // every raw slice lies inside one LOD row
                    boolean covered = false;
                    for (int j = 0; j < lod.size() && !covered; j++) {
                        covered = lod.ts[j] <= raw.ts[i] && raw.ts[i] + raw.dur[i] <= lod.ts[j] + lod.dur[j];
                    }
                    assertThat(covered).as("slice at %d covered", raw.ts[i]).isTrue();
                }
                for (int j = 0; j < lod.size(); j++) {
                    lodCount += lod.cnt[j];
                    lodBusy += lod.busy[j];
                }
                if (TraceReader.lodLevel(nsPerPx) >= 0 && lod.size() > 0) {
                    // The rows merge every slice starting in the window; only the first and last bucket may
                    // also hold slices starting just outside it.
                    long edge = lod.cnt[0] + (lod.size() > 1 ? lod.cnt[lod.size() - 1] : 0);
                    assertThat(lodCount).isGreaterThanOrEqualTo(rawCount);
                    assertThat(lodCount - edge).isLessThanOrEqualTo(rawCount);
                } else if (lod.size() > 0) {
                    // Raw slices merged per pixel: the counts add up exactly (the first row may hold the slice
                    // that started before the window).
                    long before = raw.ts[0] < from ? 1 : 0;
                    assertThat(lodCount - before).isEqualTo(rawCount);
                    assertThat(lodBusy - (before == 1 ? raw.dur[0] : 0)).isEqualTo(rawBusy);
                }
            }
        }
    }

    @Test
    void finishPrunesLevelsThatMergeNothingAndKeepsAnswersRight() throws IOException {
        Path f = dir.resolve("sparse.ktrace");
        try (TraceWriter w = TraceWriter.create(f, true)) {
            w.cpu(0, 0, true);
            int u = w.newThread(5, 0, "t", 0);
            // 1 ms slices every 2 ms: levels with buckets under ~2 ms hold one slice per entry.
            for (int i = 0; i < 2000; i++) w.slice(0, 2_000_000L * i, 1_000_000, u, 1, 120);
            w.finish(4_000_000_000L, "duration");
        }
        try (TraceReader r = TraceReader.open(f)) {
            int min = Integer.parseInt(r.meta().get("lod_min_levels"));
            assertThat(min).isGreaterThan(0);
            for (double nsPerPx : new double[] {1e3, 40e3, 200e3, 1e6, 4e6, 2e7}) {
                SliceBlock b = r.slicesLod(0, 0, 4_000_000_000L, nsPerPx);
                long cnt = 0, busy = 0;
                for (int i = 0; i < b.size(); i++) {
                    cnt += b.cnt[i];
                    busy += b.busy[i];
                }
                assertThat(cnt).as("slices at %.0f ns/px", nsPerPx).isEqualTo(2000);
                assertThat(busy).isEqualTo(2000L * 1_000_000);
                assertThat(b.size()).isLessThanOrEqualTo((int) (4e9 / nsPerPx) + 1);
            }
        }
    }

    @Test
    void runQueueLodKeepsEachBucketsLongestQueue() throws IOException {
        try (TraceReader r = TraceReader.open(trace)) {
            long[] b = r.bounds();
            for (double nsPerPx : new double[] {5e3, 1e5, 2e6, 2e7}) {
                for (int cpu = 0; cpu < 4; cpu++) {
                    long from = b[0] + (b[1] - b[0]) / 3, to = from + (long) (nsPerPx * 1000);
                    TraceReader.RunqSeries lod = r.runqLod(cpu, from, to, nsPerPx);
                    TraceReader.RunqSeries raw = r.runq(cpu, from, to);
                    int rawMax = 0, lodMax = 0;
                    for (int i = 0; i < raw.size; i++) if (raw.ts[i] >= from) rawMax = Math.max(rawMax, raw.len[i]);
                    for (int i = 0; i < lod.size; i++) if (lod.ts[i] >= from) lodMax = Math.max(lodMax, lod.len[i]);
                    if (TraceReader.lodLevel(nsPerPx) < 0) {
                        assertThat(lod.size).isEqualTo(raw.size);
                    } else {
                        assertThat(lod.size).as("points for 1000 px").isLessThanOrEqualTo(2 * 1000 + 3);
                        // the last bucket may reach past 'to' and hold a longer queue than the window does
                        assertThat(lodMax).isGreaterThanOrEqualTo(rawMax);
                    }
                    if (raw.size > 0 && raw.ts[0] < from) {
                        assertThat(lod.ts[0]).as("value in force at the window start").isLessThan(from);
                    }
                }
            }
        }
    }

    @Test
    void fullWidthUsesACoarseLevel() {
        assertThat(TraceReader.lodLevel(10)).isEqualTo(-1);
        assertThat(TraceReader.lodLevel(Schema.LOD_BASE_NS / 2.0)).isZero();
        assertThat(TraceReader.lodLevel(10e9 / 1600)).isBetween(3, 6);
    }

    @Test
    void generatorIsDeterministic() throws IOException {
        Path a = dir.resolve("a.ktrace"), b = dir.resolve("b.ktrace");
        SyntheticTrace.Params p = new SyntheticTrace.Params(11, 2, 1, 2, 2, 0.5, 5000, true, true);
        long na = SyntheticTrace.generate(a, p), nb = SyntheticTrace.generate(b, p);
        assertThat(na).isEqualTo(nb).isPositive();
        try (TraceReader ra = TraceReader.open(a); TraceReader rb = TraceReader.open(b)) {
            SliceBlock x = ra.slices(1, 0, Long.MAX_VALUE), y = rb.slices(1, 0, Long.MAX_VALUE);
            assertThat(java.util.Arrays.copyOf(x.ts, x.size())).isEqualTo(java.util.Arrays.copyOf(y.ts, y.size()));
            assertThat(ra.summary().rowCounts()).isEqualTo(rb.summary().rowCounts());
            assertThat(ra.meta()).containsEntry("synthetic", "1");
        }
    }

    @Test
    void liveReaderSeesCommittedRowsWhileWriting() throws IOException {
        Path f = dir.resolve("live.ktrace");
        try (TraceWriter w = TraceWriter.create(f, true)) {
            w.cpu(0, 0, true);
            int u = w.newThread(5, 0, "t", 0);
            w.slice(0, 1000, 100, u, 1, 120);
            w.flush();
            try (TraceReader r = TraceReader.open(f)) {
                assertThat(r.isLive()).isTrue();
                assertThat(r.slices(0, 0, 10_000).size()).isEqualTo(1);
                assertThat(r.slicesLod(0, 0, 10_000_000_000L, 1e7).size()).as("open LOD bucket visible").isEqualTo(1);
                w.slice(0, 2000, 100, u, 1, 120);
                w.flush();
                assertThat(r.slices(0, 0, 10_000).size()).isEqualTo(2);
                assertThat(r.slicesLod(0, 0, 10_000_000_000L, 1e7).cnt[0]).isEqualTo(2);
                w.finish(3000, "signal");
                assertThat(r.isLive()).isFalse();
                // finish() pruned the levels that merge nothing; the reader that followed live still sees both
                assertThat(r.slicesLod(0, 0, 10_000_000_000L, 1e7).cnt[0]).isEqualTo(2);
                assertThat(r.slicesLod(0, 0, 10_000, 50_000).size()).isEqualTo(1);
            }
        }
    }
}
