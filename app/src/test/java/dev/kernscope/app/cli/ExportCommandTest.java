package dev.kernscope.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.app.Main;
import dev.kernscope.storage.SyntheticTrace;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kernscope export}: headless PNGs of each view, NUMA CSV, and clear refusals. */
class ExportCommandTest {
    static Path trace;

    @BeforeAll
    static void fixture(@TempDir Path dir) throws Exception {
        trace = dir.resolve("t.ktrace");
        SyntheticTrace.generate(trace, SyntheticTrace.Params.defaults(4, 2));
    }

    static int colours(BufferedImage img) {
        Set<Integer> s = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) s.add(img.getRGB(x, y));
        return s.size();
    }

    @Test
    void rendersEachViewToPngWithoutADisplay(@TempDir Path dir) throws Exception {
        for (String view : new String[] {"timeline", "numa", "flame"}) {
            Path out = dir.resolve(view + ".png");
            int rc = Main.run("export", trace.toString(), "--png", out.toString(), "--view", view,
                    "--width", "900", "--height", "500", "--from", "200ms", "--to", "1.5s");
            assertThat(rc).as(view).isZero();
            BufferedImage img = ImageIO.read(out.toFile());
            assertThat(img.getWidth()).isEqualTo(900);
            assertThat(img.getHeight()).isEqualTo(500);
            assertThat(colours(img)).as(view).isGreaterThan(40);
        }
    }

    @Test
    void exportsNumaSeriesAsCsv(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("numa.csv");
        assertThat(Main.run("export", trace.toString(), "--csv", "numa", out.toString())).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("ts,node,counter,value,delta,rate_per_s");
        assertThat(lines.size()).isGreaterThan(10);
        assertThat(lines.get(1).split(",")).hasSize(6);
    }

    @Test
    void exportsFoldedStacksAndSamples(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("x.folded"), samples = dir.resolve("s.csv");
        assertThat(Main.run("export", trace.toString(), "--folded", folded.toString(), "--mode", "on")).isZero();
        List<String> lines = Files.readAllLines(folded);
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches(".+;.+ \\d+"));
        assertThat(Main.run("export", trace.toString(), "--csv", "samples", samples.toString())).isZero();
        assertThat(Files.readAllLines(samples).get(0)).isEqualTo("depth,name,module,kind,self,total,self_samples,total_samples");
    }

    @Test
    void refusesBadArguments(@TempDir Path dir) {
        assertThat(Main.run("export", trace.toString(), "--csv", "slices")).isEqualTo(1);
        assertThat(Main.run("export", trace.toString(), "--folded", dir.resolve("f").toString(), "--mode", "x")).isEqualTo(1);
    }
    @Test
    void exportsThreadStatesAndTheCriticalPath(@TempDir Path dir) throws Exception {
        Path states = dir.resolve("states.csv"), path = dir.resolve("path.csv"), table = dir.resolve("table.csv");
        assertThat(Main.run("export", trace.toString(), "--csv", "thread-states", states.toString(), "--thread", "1000",
                "--from", "100ms", "--to", "900ms")).isZero();
        List<String> lines = Files.readAllLines(states);
        assertThat(lines.get(0)).isEqualTo("ts,dur,tid,thread,state,cpu,waker_tid,reason");
        assertThat(lines.size()).isGreaterThan(10);
        long end = -1, sum = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            assertThat(f[2]).isEqualTo("1000");
            assertThat(f[4]).isIn("running", "runnable", "sleeping", "uninterruptible");
            if (end >= 0) assertThat(Long.parseLong(f[0])).isEqualTo(end);
            end = Long.parseLong(f[0]) + Long.parseLong(f[1]);
            sum += Long.parseLong(f[1]);
        }
        assertThat(sum).isLessThanOrEqualTo(800_000_000L).isGreaterThan(700_000_000L);

        assertThat(Main.run("export", trace.toString(), "--csv", "critical-path", path.toString(), "--thread", "postgres")).isZero();
        lines = Files.readAllLines(path);
        assertThat(lines.get(0)).isEqualTo("ts,dur,tid,thread,state,cpu");
        assertThat(lines.size()).isGreaterThan(100);
        assertThat(lines.subList(1, lines.size())).allMatch(l -> l.split(",")[4].matches("running|runnable|sleeping|uninterruptible|unknown"));
        assertThat(Main.run("export", trace.toString(), "--csv", "critical-path-threads", table.toString(), "--thread", "1000")).isZero();
        assertThat(Files.readAllLines(table).get(0)).isEqualTo("tid,thread,process,on_path_ns,running_ns,runnable_ns,blocked_ns,"
                + "numa_faults,numa_fault_pages,pages_migrated,cross_node_moves");

        Path stacks = dir.resolve("path.folded");
        assertThat(Main.run("export", trace.toString(), "--folded", stacks.toString(), "--critical-path", "--thread", "1000",
                "--to", "500ms")).isZero();
        assertThat(Files.readAllLines(stacks)).isNotEmpty().allMatch(l -> l.matches(".+ \\d+"));
        assertThat(Main.run("export", trace.toString(), "--folded", stacks.toString(), "--critical-path")).isEqualTo(1);
        assertThat(Main.run("export", trace.toString(), "--csv", "critical-path", path.toString())).isEqualTo(1);
        assertThat(Main.run("export", trace.toString(), "--csv", "critical-path", path.toString(), "--thread", "nobody")).isEqualTo(1);
        assertThat(Main.run("export", trace.toString(), "--csv", "slices", path.toString(), "--thread", "1000")).isEqualTo(1);
    }
    @Test
    void exportsADifferentialFoldedFileAgainstABaseline(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("b.ktrace"), diff = dir.resolve("d.folded"), a = dir.resolve("a.folded"), b = dir.resolve("b.folded");
        SyntheticTrace.generate(other, new SyntheticTrace.Params(7, 4, 2, 8, 4, 2, 2000, true, false));
        assertThat(Main.run("export", other.toString(), "--folded", diff.toString(), "--baseline", trace.toString(),
                "--mode", "wall", "--from", "0", "--to", "1s")).isZero();
        assertThat(Main.run("export", trace.toString(), "--folded", a.toString(), "--mode", "wall", "--to", "1s")).isZero();
        assertThat(Main.run("export", other.toString(), "--folded", b.toString(), "--mode", "wall", "--to", "1s")).isZero();
        java.util.Map<String, Long> wa = new java.util.TreeMap<>(), wb = new java.util.TreeMap<>();
        for (String l : Files.readAllLines(diff)) {
            String[] f = l.split(" ");
            String stack = String.join(" ", java.util.Arrays.copyOf(f, f.length - 2));
            if (!f[f.length - 2].equals("0")) wa.put(stack, Long.parseLong(f[f.length - 2]));
            if (!f[f.length - 1].equals("0")) wb.put(stack, Long.parseLong(f[f.length - 1]));
        }
        assertThat(wa).isEqualTo(single(a)).isNotEmpty();
        assertThat(wb).isEqualTo(single(b)).isNotEmpty();
        assertThat(Main.run("export", other.toString(), "--folded", diff.toString(), "--baseline", trace.toString(),
                "--pid", "1000")).isEqualTo(1);
        assertThat(Main.run("export", other.toString(), "--csv", "slices", diff.toString(), "--baseline", trace.toString())).isEqualTo(1);
    }

    static java.util.Map<String, Long> single(Path folded) throws Exception {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        for (String l : Files.readAllLines(folded)) {
            int sp = l.lastIndexOf(' ');
            m.put(l.substring(0, sp), Long.parseLong(l.substring(sp + 1)));
        }
        return m;
    }
    @Test
    void exportsBookmarks(@TempDir Path dir) throws Exception {
        Path t = dir.resolve("b.ktrace"), out = dir.resolve("b.csv");
        Files.copy(trace, t);
        dev.kernscope.storage.Bookmarks b = dev.kernscope.storage.Bookmarks.of(t);
        long start = SyntheticTrace.START_TS;
        b.add(start + 5_000_000, 0, "mark, with comma");
        b.add(start + 100_000_000, 20_000_000, "range");
        assertThat(Main.run("export", t.toString(), "--csv", "bookmarks", out.toString())).isZero();
        assertThat(Files.readAllLines(out)).containsExactly("ts,dur,name,stored",
                (start + 5_000_000) + ",0,\"mark, with comma\",trace", (start + 100_000_000) + ",20000000,range,trace");
        assertThat(Main.run("export", t.toString(), "--csv", "bookmarks", out.toString(), "--from", "50ms")).isZero();
        assertThat(Files.readAllLines(out)).hasSize(2);
    }
}
