package dev.kernscope.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kernscope record} options that cannot work get one clear line and exit 2 before anything is loaded
 * (no file created, no BPF): as root or not, through the real command line.
 */
class RecordOptionsCliTest {
    @TempDir
    Path dir;

    private void refused(String expected, String... options) {
        Path out = dir.resolve("t.ktrace");
        String[] args = new String[options.length + 3];
        args[0] = "record";
        args[1] = "-o";
        args[2] = out.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        long t0 = System.nanoTime();
        CliTest.Result r = CliTest.run(args);
        String what = String.join(" ", options);
        assertThat(r.code()).as(what + ": " + r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(what).hasSize(1);
        assertThat(r.err()).as(what).startsWith("kernscope record: ").contains(expected);
        assertThat(out).as(what + ": nothing created").doesNotExist();
        assertThat((System.nanoTime() - t0) / 1e9).as(what + ": refused at once, nothing loaded").isLessThan(5);
    }

    @Test
    void durationsThatCannotBe() {
        refused("-d wants seconds from 0 (until stopped) to 604800 (a week), not -1.0", "-d", "-1");
        refused("not NaN", "-d", "NaN");
        refused("not 1.0E12", "-d", "1e12");
        refused("not Infinity", "-d", "Infinity");
        refused("Invalid value for option '--duration': 'soon' is not a double", "-d", "soon");
    }

    @Test
    void buffersFrequenciesAndProcesses() {
        refused("--buffer wants MiB from 1 to 512, not 0", "--buffer", "0");
        refused("--buffer wants MiB from 1 to 512, not 100000", "--buffer", "100000");
        refused("--freq wants samples per second from 1 to 10000, not 0", "--freq", "0");
        refused("--min-block-us wants microseconds from 0 to 60000000, not -5", "--min-block-us", "-5");
        refused("--pid wants a process id, not -3", "--pid", "-3");
        refused("--pid 2147483647: no such process", "--pid", "2147483647");
    }

    @Test
    void cpuListsThatNameNoCpuHere() {
        refused("--cpus is empty", "--cpus", "");
        refused("--cpus ' , ' names no CPU", "--cpus", " , ");
        refused("is not a CPU list such as 0-3,8", "--cpus", "all");
        refused("is not a CPU list such as 0-3,8", "--cpus", "3-1");
        refused("is not a CPU list such as 0-3,8", "--cpus", "0-99999999");
        refused("--cpus: this machine has no CPU 1000 (its CPUs are ", "--cpus", "1000");
    }

    @Test
    void outputsThatAreNotANewFile() throws Exception {
        CliTest.Result r = CliTest.run("record", "-o", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("kernscope record: -o " + dir + " is a folder: give a file name, such as "
                + dir.resolve("trace.ktrace") + System.lineSeparator());
        r = CliTest.run("record", "-o", dir.resolve("no/such/t.ktrace").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("folder " + dir.resolve("no/such") + " does not exist");
        Path existing = Files.writeString(dir.resolve("old.ktrace"), "keep me");
        r = CliTest.run("record", "-o", existing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("exists: choose another name, or -f to overwrite it");
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }
}
