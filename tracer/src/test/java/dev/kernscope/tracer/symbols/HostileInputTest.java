package dev.kernscope.tracer.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.tracer.KernelTestSupport;
import dev.kernscope.tracer.bpf.LibC;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile process can put in front of the symbolizer: ELF files whose headers lie, perf maps that are
 * FIFOs, symlinks to files it cannot read, or files of another user. Each must cost at most that process its
 * names: no exception out of the symbolizer, no blocking, no large allocation, nothing read that its user could
 * not read.
 */
class HostileInputTest {
    /** More than any check here needs; a lie believed would allocate hundreds of MiB or a GiB. */
    private static final long ALLOCATION_BUDGET = 48L << 20;

    @TempDir
    static Path dir;
    static Path good;
    static Path mapper;

    @BeforeAll
    static void build() throws Exception {
        good = Xq7.compile(dir, "xq7-good", "-fPIE", "-pie");
        mapper = KernelTestSupport.compileC(HostileInputTest.class, "mapelf", dir, "-O1");
    }

    // --- ELF files whose headers lie ------------------------------------------------------------------------

    @Test
    void buildIdNoteClaimingOneGibIsIgnored() throws Exception {
        Path f = hostile("huge-note", (b, e) -> b.putInt((int) e.section(".note.gnu.build-id").offset() + 4, 1 << 30));
        try (ElfFile elf = withinBudget(() -> ElfFile.open(f))) {
            assertThat(elf.buildId()).isNull();
            assertThat(elf.symbols().find(Xq7.FN)).as("the rest of the file still reads").isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void unterminatedStringTableGivesBoundedNames() throws Exception {
        Path f = hostile("no-nul-strtab", (b, e) -> {
            ElfFile.Section s = e.section(".strtab");
            for (long i = 0; i < s.size(); i++) b.put((int) (s.offset() + i), (byte) 'A');
        });
        try (ElfFile elf = ElfFile.open(f)) {
            ElfSymbols syms = withinBudget(elf::symbols);
            assertThat(syms.size()).isPositive();
            for (int i = 0; i < syms.size(); i++) assertThat(syms.name(i).length()).isLessThanOrEqualTo(ElfSymbols.NAME_MAX);
        }
    }

    @Test
    void sectionHeadersPastTheEndAreRefused() throws Exception {
        Path f = hostile("shoff-past-end", (b, e) -> b.putLong(40, b.capacity() + 4096L));
        assertThatThrownBy(() -> ElfFile.open(f)).isInstanceOf(IOException.class).hasMessageContaining("outside the file");
    }

    @Test
    void extendedSectionCountOfTwoToTheFortyIsRefused() throws Exception {
        Path f = hostile("huge-shnum", (b, e) -> {
            long shoff = b.getLong(40);
            b.putShort(60, (short) 0);
            b.putLong((int) shoff + 32, 1L << 40);
        });
        assertThatThrownBy(() -> withinBudget(() -> ElfFile.open(f))).isInstanceOf(IOException.class);
    }

    @Test
    void symbolAndStringTablesWithBogusOffsetsAreSkipped() throws Exception {
        Path f = hostile("bogus-tables", (b, e) -> {
            int symtab = shdr(b, e, ".symtab"), strtab = shdr(b, e, ".strtab");
            b.putLong(symtab + 24, 1L << 62);
            b.putLong(symtab + 32, 1L << 40);
            b.putLong(strtab + 32, 1L << 30); // a string table of 1 GiB
        });
        try (ElfFile elf = ElfFile.open(f)) {
            ElfSymbols syms = withinBudget(elf::symbols);
            assertThat(syms.find(Xq7.FN)).as(".symtab is gone").isNegative();
            assertThat(syms.find("main")).as("but .dynsym still reads").isLessThan(syms.size());
        }
    }

    @Test
    void programHeadersOutsideTheFileAreRefused() throws Exception {
        Path f = hostile("bogus-phoff", (b, e) -> {
            b.putLong(32, -1L);
            b.putShort(56, (short) 4000);
        });
        assertThatThrownBy(() -> ElfFile.open(f)).isInstanceOf(IOException.class);
    }

    @Test
    void sectionBytesAreBoundsChecked() throws Exception {
        Path f = hostile("eh-frame-past-end", (b, e) -> b.putLong(shdr(b, e, ".eh_frame") + 32, 1L << 40));
        try (ElfFile elf = ElfFile.open(f); ElfFile ok = ElfFile.open(good)) {
            assertThat(elf.section(".eh_frame").size()).as("a section past the end reads as empty").isZero();
            assertThat(ok.sectionBytes(".eh_frame").remaining()).isEqualTo((int) ok.section(".eh_frame").size());
            assertThat(ok.sectionBytes(".no-such-section")).isNull();
        }
    }

    /** Each hostile file mapped by a live process: the symbolizer answers module+offset and throws nothing. */
    @Test
    void processMappingHostileFilesLosesOnlyItsNames() throws Exception {
        List<Path> files = List.of(
                hostile("p-huge-note", (b, e) -> b.putInt((int) e.section(".note.gnu.build-id").offset() + 4, 1 << 30)),
                hostile("p-shoff", (b, e) -> b.putLong(40, b.capacity() + 4096L)),
                hostile("p-phoff", (b, e) -> b.putLong(32, -1L)),
                hostile("p-tables", (b, e) -> b.putLong(shdr(b, e, ".strtab") + 32, 1L << 30)));
        Symbolizer sym = new Symbolizer();
        for (Path f : files) {
            try (Mapped m = new Mapped(mapper, f.toString())) {
                ProcessMaps maps = sym.capture(m.pid);
                Symbol s = withinBudget(() -> sym.resolveUser(maps, m.pid, m.addr + 0x10));
                assertThat(s.name()).as(f.getFileName().toString()).startsWith(f.getFileName() + "+0x");
            }
        }
        try (Xq7.Running p = new Xq7.Running(good)) {
            assertThat(sym.resolveUser(sym.capture(p.pid), p.pid, p.fn + 4).name()).as("others keep theirs").isEqualTo(Xq7.FN);
        }
    }

    /**
     * Out of memory while reading one process's file (a string table as large as the heap) costs that process its
     * names and nothing else: run in a JVM with a 24 MiB heap.
     */
    @Test
    void outOfMemoryWhileSymbolizingCostsOnlyThatProcess() throws Exception {
        Path big = dir.resolve("big-strtab");
        byte[] base = Files.readAllBytes(good);
        int extra = 30 << 20;
        ByteBuffer b = ByteBuffer.wrap(java.util.Arrays.copyOf(base, base.length + extra)).order(ByteOrder.LITTLE_ENDIAN);
        try (ElfFile e = ElfFile.open(good)) {
            int strtab = shdr(b, e, ".strtab");
            b.putLong(strtab + 24, base.length);
            b.putLong(strtab + 32, extra);
        }
        Files.write(big, b.array());
        try (Mapped m = new Mapped(mapper, big.toString()); Xq7.Running p = new Xq7.Running(good)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process probe = new ProcessBuilder(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                    OomProbe.class.getName(), Integer.toString(m.pid), Long.toString(m.addr + 0x10),
                    Integer.toString(p.pid), Long.toString(p.fn + 4)).redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probe.waitFor()).as(out).isZero();
            assertThat(out).contains("hostile=big-strtab+0x").contains("other=" + Xq7.FN).contains("failures=1");
        }
    }

    // --- perf maps -----------------------------------------------------------------------------------------

    @Test
    void fifoAsPerfMapDoesNotBlock() throws Exception {
        try (Mapped m = new Mapped(mapper, good.toString())) {
            Path maps = dir.resolve("fifo-maps");
            Files.createDirectories(maps);
            Path fifo = maps.resolve("perf-" + m.pid + ".map");
            assertThat(Xq7.run("mkfifo", fifo.toString())).isZero();
            Symbolizer sym = new Symbolizer(Path.of("/proc"), maps, dir);
            ProcessMaps pm = sym.capture(m.pid);
            Symbol s = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> sym.resolveUser(pm, m.pid, 0x7f0000001010L));
            assertThat(s.resolved()).isFalse();
            assertThatThrownBy(() -> UntrustedFile.open(fifo, 1 << 20)).hasMessageContaining("not a regular file");
        }
    }

    /**
     * A process of an unprivileged user whose perf maps are a symlink to a root-only file, and a map planted by
     * another user: neither is read. Its own regular map is (so the test can fail).
     */
    @Test
    void perfMapMustBeTheProcessUsersOwnRegularFile() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "needs root to create a test user and run a process as it");
        int uid = TestUsers.ensure("ksuser");
        Path secretDir = Files.createDirectories(dir.resolve("root-only"));
        Files.setPosixFilePermissions(secretDir, PosixFilePermissions.fromString("rwx------"));
        Path secret = secretDir.resolve("secret.map");
        Files.write(secret, List.of("7f0000001000 100 ROOT_ONLY_SECRET"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path maps = Files.createDirectories(dir.resolve("user-maps"));
        assertThat(Xq7.run("chown", "ksuser", maps.toString())).isZero();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(good, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(mapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Mapped m = new Mapped(mapper, good.toString(), "setpriv", "--reuid=ksuser", "--regid=ksuser", "--clear-groups")) {
            Path map = maps.resolve("perf-" + m.pid + ".map");
            Path tmpMap = Path.of("/tmp/perf-" + m.pid + ".map"); // what /proc/PID/root/tmp shows
            try {
                asUser("ln", "-s", secret.toString(), map.toString());
                asUser("ln", "-sf", secret.toString(), tmpMap.toString());
                Symbolizer sym = new Symbolizer(Path.of("/proc"), maps, dir);
                ProcessMaps pm = sym.capture(m.pid);
                assertThat(pm.uid()).isEqualTo(uid);
                assertThat(sym.resolveUser(pm, m.pid, 0x7f0000001010L).name()).doesNotContain("SECRET");

                Files.delete(map);
                Files.delete(tmpMap);
                Files.write(map, List.of("7f0000001000 100 PLANTED_BY_ROOT")); // another user's file
                assertThat(new Symbolizer(Path.of("/proc"), maps, dir).resolveUser(pm, m.pid, 0x7f0000001010L).name())
                        .doesNotContain("PLANTED");

                Files.delete(map);
                asUser("sh", "-c", "echo '7f0000001000 100 OwnMethod' > " + map);
                assertThat(new Symbolizer(Path.of("/proc"), maps, dir).resolveUser(pm, m.pid, 0x7f0000001010L).name())
                        .isEqualTo("OwnMethod");
            } finally {
                Files.deleteIfExists(tmpMap);
            }
        }
    }

    private static void asUser(String... cmd) throws Exception {
        String[] full = new String[cmd.length + 4];
        System.arraycopy(new String[] {"setpriv", "--reuid=ksuser", "--regid=ksuser", "--clear-groups"}, 0, full, 0, 4);
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        assertThat(Xq7.run(full)).as(String.join(" ", cmd)).isZero();
    }

    // --- helpers -------------------------------------------------------------------------------------------

    interface Edit {
        void apply(ByteBuffer b, ElfFile e) throws IOException;
    }

    /** A copy of the good binary with one edit. */
    private static Path hostile(String name, Edit edit) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(good)).order(ByteOrder.LITTLE_ENDIAN);
        try (ElfFile e = ElfFile.open(good)) {
            edit.apply(b, e);
        }
        Path out = dir.resolve(name);
        Files.write(out, b.array());
        return out;
    }

    /** Offset of the section header of {@code name}. */
    private static int shdr(ByteBuffer b, ElfFile e, String name) {
        ElfFile.Section s = e.section(name);
        return (int) (b.getLong(40) + 64L * e.sections().indexOf(s));
    }

    interface Call<T> {
        T call() throws Exception;
    }

    /** Runs {@code c} and checks that this thread allocated less than {@link #ALLOCATION_BUDGET} meanwhile. */
    private static <T> T withinBudget(Call<T> c) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        try {
            return c.call();
        } finally {
            assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(ALLOCATION_BUDGET);
        }
    }

    /** A running mapelf: its pid and where the file is mapped. Closing it ends the process. */
    static final class Mapped implements AutoCloseable {
        final Process process;
        final int pid;
        final long addr;

        Mapped(Path mapper, String file, String... prefix) throws IOException {
            List<String> cmd = new java.util.ArrayList<>(List.of(prefix));
            cmd.add(mapper.toString());
            cmd.add(file);
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null) throw new IOException("mapelf " + file + " printed nothing");
            String[] f = line.trim().split(" ");
            pid = Integer.parseInt(f[0]);
            addr = Long.parseUnsignedLong(f[1].substring(2), 16);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            process.waitFor();
        }
    }
}
