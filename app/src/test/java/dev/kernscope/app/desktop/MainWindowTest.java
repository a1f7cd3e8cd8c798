package dev.kernscope.app.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.app.cli.CsvExport;
import dev.kernscope.storage.SyntheticTrace;
import dev.kernscope.storage.TraceReader;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import javafx.scene.control.Alert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The main window headless (Monocle): sample start, views render, second trace, bad file, exports. */
class MainWindowTest extends WindowTestSupport {
    static Path fixture;
    static Path shots = Path.of("target", "ui");

    @BeforeAll
    static void fixture(@TempDir Path dir) throws Exception {
        fixture = dir.resolve("fixture.ktrace");
        SyntheticTrace.generate(fixture, SyntheticTrace.Params.defaults(4, 2));
        Files.createDirectories(shots);
    }

    @Start
    void start(Stage stage) {
        open(stage);
    }

    void waitSettled(TraceTab t) throws Exception {
        waitFor("panels", () -> t.panelsLoaded() > 0 && !w.busy() && !t.timeline().busyProperty().get());
    }

    /** Distinct colours in a snapshot: a blank or placeholder-only view has very few. */
    static int colours(Image img) {
        PixelReader pr = img.getPixelReader();
        java.util.Set<Integer> s = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) s.add(pr.getArgb(x, y));
        return s.size();
    }

    Image shot(Node n, String name) throws Exception {
        return fx(() -> {
            Screenshots.png(n, 1, shots.resolve(name + ".png"));
            return n.snapshot(null, null);
        });
    }

    @Test
    void startsOnTheSampleAndEveryViewRenders() throws Exception {
        fx(() -> { w.openSample(); return null; });
        waitFor("sample tab", () -> w.currentTab() != null);
        TraceTab t = fx(w::currentTab);
        waitSettled(t);
        assertThat(fx(() -> w.stage().getTitle())).contains("SYNTHETIC");
        assertThat(colours(shot(t.timeline(), "timeline"))).isGreaterThan(40);
        String[] names = {"flame", "numa", "threads", "latency"};
        for (int i = 0; i < 4; i++) {
            int k = i;
            fx(() -> { t.panels().getSelectionModel().select(k); return null; });
            WaitForAsyncUtils.waitForFxEvents();
            Thread.sleep(200);
            Image img = shot(fx(t::currentPanel), names[i]);
            assertThat(colours(img)).as(names[i]).isGreaterThan(12);
        }
        assertThat(fx(() -> t.threadsTable().table().getItems().size())).isGreaterThan(5);
        assertThat(fx(() -> t.flameGraph().getData())).as("flame data from FlameQueries").isNotNull();
        fx(() -> { t.panels().getSelectionModel().select(1); return null; });
        Thread.sleep(200);
        shot(fx(w::root), "window");
        assertThat(fx(() -> w.status().getText())).contains("events").contains("lost");
    }

    /**
     * The viewport first: the flame graph (the panel on screen) loads once the lanes are drawn, the other panels only
     * when shown, and a selection made while a panel is hidden reaches it when it is shown.
     */
    @Test
    void panelsLoadAfterTheLanesAndOnlyWhenShown() throws Exception {
        TraceTab t = openSettled(fixture, 1280, 720);
        assertThat(fx(() -> t.flameGraph().getData())).isNotNull();
        assertThat(fx(() -> t.numaView().getModel())).as("NUMA never shown").isNull();
        assertThat(fx(t::threadsCurrent)).as("Threads never shown").isFalse();
        assertThat(fx(() -> t.threadsTable().table().getScene())).as("a hidden panel is not in the scene").isNull();
        fx(() -> { t.panels().getSelectionModel().select(2); return null; });
        waitFor("threads", t::threadsCurrent);
        assertThat(fx(() -> t.threadsTable().table().getItems().size())).isGreaterThan(5);
        fx(() -> {
            var b = t.selection().getBounds();
            t.selection().selectedRangeProperty().set(new dev.kernscope.views.model.TimeRange(b.start(), b.start() + b.duration() / 4));
            return null;
        });
        waitFor("threads of the selected range", t::threadsCurrent);
        fx(() -> { t.panels().getSelectionModel().select(1); return null; });
        waitFor("NUMA", () -> t.numaView().getModel() != null);
    }

    @Test
    void opensASecondTraceInASecondTab() throws Exception {
        fx(() -> { w.open(fixture); return null; });
        waitFor("first tab", () -> w.tabs().size() == 1);
        fx(() -> { w.open(fixture); return null; });
        waitFor("second tab", () -> w.tabs().size() == 2);
        assertThat(fx(() -> w.tabs().get(1).getText())).contains("fixture.ktrace");
        assertThat(new RecentFiles(prefs).list()).containsExactly(fixture.toAbsolutePath().normalize());
    }

    @Test
    void aBadFileShowsOneSentenceInADialog(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("notes.ktrace");
        Files.writeString(bad, "these are notes, not a trace\n".repeat(20));
        fx(() -> { w.open(bad); return null; });
        waitFor("error dialog", () -> w.lastAlert() != null && w.lastAlert().isShowing());
        String text = fx(() -> w.lastAlert().getContentText());
        assertThat(text).isEqualTo("notes.ktrace is not a kernscope trace: it is not an SQLite database");
        assertThat(fx(() -> w.lastAlert().getHeaderText())).isEqualTo("Cannot open notes.ktrace");
        assertThat(w.tabs()).isEmpty();
        fx(() -> { w.lastAlert().close(); return null; });
    }

    @Test
    void aDamagedTraceOrAFifoShowsWhatIsWrongInADialog(@TempDir Path dir) throws Exception {
        Path damaged = dir.resolve("damaged.ktrace");
        Files.copy(Path.of("..", "packaging", "samples", "sample.ktrace"), damaged);
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + damaged); var st = c.createStatement()) {
            st.execute("UPDATE numa_node SET cpus = '0-2147483647'");
        }
        Path fifo = dir.resolve("fifo.ktrace");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        String[][] cases = {{"damaged.ktrace", "damaged.ktrace is damaged: NUMA node 0 has an invalid CPU list"},
                {"fifo.ktrace", "fifo.ktrace is not a trace file: it is a special file"}};
        for (String[] c : cases) {
            fx(() -> { w.open(dir.resolve(c[0])); return null; });
            waitFor("error dialog", () -> w.lastAlert() != null && w.lastAlert().isShowing()
                    && w.lastAlert().getHeaderText().endsWith(c[0]));
            assertThat(fx(() -> w.lastAlert().getContentText())).startsWith(c[1]).doesNotContain("\n");
            shot(fx(() -> w.lastAlert().getDialogPane()), "damaged-" + c[0].replace(".ktrace", ""));
            fx(() -> { w.lastAlert().close(); return null; });
        }
        assertThat(w.tabs()).isEmpty();
    }

    @Test
    void damageFoundAfterOpeningShowsADialogOnceAndKeepsTheTab(@TempDir Path dir) throws Exception {
        // a slice chunk that claims more entries than its bytes hold: the file opens (opening checks the schema,
        // meta and topology), and the timeline finds the damage when it draws that CPU's lane
        Path damaged = dir.resolve("chunk.ktrace");
        Files.copy(Path.of("..", "packaging", "samples", "sample.ktrace"), damaged);
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + damaged); var st = c.createStatement()) {
            st.execute("UPDATE _slice_chunk SET n = n + 1");
            st.execute("UPDATE _slice_lod SET n = n + 1");
        }
        fx(() -> { w.open(damaged); return null; });
        waitFor("damage dialog", () -> w.lastAlert() != null && w.lastAlert().isShowing());
        assertThat(fx(() -> w.lastAlert().getHeaderText())).isEqualTo("Part of chunk.ktrace cannot be shown");
        assertThat(fx(() -> w.lastAlert().getContentText())).contains("damaged").contains("claiming").doesNotContain("\n");
        assertThat(w.tabs()).hasSize(1);
        shot(fx(() -> w.lastAlert().getDialogPane()), "damaged-chunk");
        Alert first = fx(w::lastAlert);
        fx(() -> { first.close(); return null; });
        // every other lane hits the same damage: no second dialog
        Thread.sleep(1500);
        assertThat(fx(w::lastAlert)).isSameAs(first);
    }

    @Test
    void exportsPngAndCsv(@TempDir Path dir) throws Exception {
        fx(() -> { w.open(fixture); return null; });
        waitFor("tab", () -> w.currentTab() != null);
        TraceTab t = fx(w::currentTab);
        waitSettled(t);
        Path png1 = dir.resolve("w1.png"), png2 = dir.resolve("w2.png");
        assertThat(fx(() -> w.screenshot(MainWindow.Shot.WINDOW, 1, png1))).isTrue();
        assertThat(fx(() -> w.screenshot(MainWindow.Shot.WINDOW, 2, png2))).isTrue();
        BufferedImage i1 = ImageIO.read(png1.toFile()), i2 = ImageIO.read(png2.toFile());
        double sw = fx(() -> w.root().getWidth()), sh = fx(() -> w.root().getHeight());
        assertThat(i1.getWidth()).isEqualTo((int) Math.round(sw));
        assertThat(i1.getHeight()).isEqualTo((int) Math.round(sh));
        assertThat(i2.getWidth()).isEqualTo(2 * i1.getWidth());

        Path threads = dir.resolve("threads.csv"), slices = dir.resolve("slices.csv");
        // the Threads panel was never shown: the export computes the rows the table would show
        fx(() -> w.exportCsv(null, threads)).get(30, TimeUnit.SECONDS);
        fx(() -> { t.panels().getSelectionModel().select(2); return null; });
        waitFor("threads table", t::threadsCurrent);
        int shown = fx(() -> t.threadsTable().table().getItems().size());
        assertThat(shown).isGreaterThan(5);
        fx(() -> w.exportCsv(CsvExport.Kind.slices, slices)).get(30, TimeUnit.SECONDS);
        List<String> tl = Files.readAllLines(threads, StandardCharsets.UTF_8);
        assertThat(tl.get(0)).startsWith("utid,tid,thread,pid,process,runtime_ns,wait_ns");
        assertThat(tl).hasSize(shown + 1);
        long expected;
        try (TraceReader r = TraceReader.open(fixture)) {
            expected = r.summary().rowCounts().get("sched_slice");
        }
        List<String> sl = Files.readAllLines(slices, StandardCharsets.UTF_8);
        assertThat(sl.get(0)).isEqualTo("ts,dur,cpu,utid,tid,thread,pid,process,end_state");
        assertThat(sl).hasSize((int) expected + 1);
        // the state each slice ended in, as a word
        java.util.Set<String> states = new java.util.HashSet<>();
        for (String line : sl.subList(1, sl.size())) states.add(line.substring(line.lastIndexOf(',') + 1).trim());
        assertThat(states).isNotEmpty().isSubsetOf("running", "runnable", "sleeping", "uninterruptible", "idle", "stopped",
                "parked", "exited");
        assertThat(Files.readString(slices)).contains("\r\n");
    }
}
