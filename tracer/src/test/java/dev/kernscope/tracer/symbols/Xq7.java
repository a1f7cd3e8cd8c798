package dev.kernscope.tracer.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The compiled test workload xq7.c: builds it with gcc, runs it, and knows what nm says about it. */
final class Xq7 {
    static final String FN = "kernscope_spin_xq7";

    /** Compiles xq7.c into {@code dir} as {@code name} with extra gcc flags; skips the test without gcc. */
    static Path compile(Path dir, String name, String... extra) throws Exception {
        Path src = dir.resolve("xq7.c");
        if (!Files.exists(src)) {
            try (InputStream in = Xq7.class.getResourceAsStream("xq7.c")) {
                Files.copy(in, src);
            }
        }
        Path out = dir.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("gcc", "-O0", "-fno-omit-frame-pointer", "-g",
                "-Wl,--build-id", "-o", out.toString(), src.toString(), "-ldl"));
        cmd.addAll(1, List.of(extra));
        assumeTrue(run(cmd.toArray(String[]::new)) == 0, "gcc is needed to build the workload");
        return out;
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return -1;
        }
        return p.waitFor();
    }

    /** The value {@code nm} gives a symbol: its ELF virtual address. */
    static long nm(Path binary, String symbol) throws Exception {
        Process p = new ProcessBuilder("nm", binary.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].equals(symbol)) return Long.parseUnsignedLong(f[0], 16);
        }
        throw new AssertionError(symbol + " not in nm output of " + binary);
    }

    /** A running instance: its pid and the addresses it printed. Closing it ends the process. */
    static final class Running implements AutoCloseable {
        final Process process;
        final int pid;
        final long fn;
        final long getpid;

        Running(Path binary) throws IOException {
            process = new ProcessBuilder(binary.toString()).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String[] f = r.readLine().trim().split(" ");
            pid = Integer.parseInt(f[0]);
            fn = Long.parseUnsignedLong(f[1].substring(2), 16);
            getpid = Long.parseUnsignedLong(f[2].substring(2), 16);
            assertThat(pid).isEqualTo((int) process.pid());
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            process.waitFor();
        }
    }

    private Xq7() {}
}
