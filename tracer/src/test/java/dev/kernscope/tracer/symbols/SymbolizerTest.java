package dev.kernscope.tracer.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kernscope.storage.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Symbolizes addresses of real processes, the running kernel and perf maps, checked against nm and kallsyms. */
class SymbolizerTest {
    @TempDir
    static Path dir;
    static Path pie;

    @BeforeAll
    static void build() throws Exception {
        pie = Xq7.compile(dir, "xq7-pie", "-fPIE", "-pie");
    }

    @Test
    void resolvesOwnFunctionOfPieExecutable() throws Exception {
        Symbolizer sym = new Symbolizer();
        try (Xq7.Running p = new Xq7.Running(pie)) {
            ProcessMaps maps = sym.capture(p.pid);
            long vaddr = Xq7.nm(pie, Xq7.FN);
            assertThat(p.fn).as("PIE is loaded away from its link address").isNotEqualTo(vaddr);

            Symbol s = sym.resolveUser(maps, p.pid, p.fn + 4);
            assertThat(s.name()).isEqualTo(Xq7.FN);
            assertThat(s.module()).isEqualTo(pie.toRealPath().toString());
            assertThat(s.kind()).isEqualTo(TraceWriter.FRAME_USER);
            assertThat(s.resolved()).isTrue();
            assertThat(s.relPc()).as("the function start as nm gives it").isEqualTo(vaddr);
            assertThat(maps.find(p.fn).buildId()).isNotNull().matches("[0-9a-f]{40}");
        }
    }

    @Test
    void resolvesSharedLibraryFunction() throws Exception {
        Symbolizer sym = new Symbolizer();
        try (Xq7.Running p = new Xq7.Running(pie)) {
            ProcessMaps maps = sym.capture(p.pid);
            Symbol s = sym.resolveUser(maps, p.pid, p.getpid + 1);
            assertThat(s.name()).isEqualTo("getpid");
            assertThat(s.module()).contains("libc.so");
            assertThat(s.resolved()).isTrue();
        }
    }

    @Test
    void cxxNamesAreDemangledAndKeepTheirLinkerName() throws Exception {
        String mangled = "_ZNSt6chrono3_V212system_clock3nowEv";
        com.sun.jna.NativeLibrary cxx = com.sun.jna.NativeLibrary.getInstance("stdc++");
        long ip = com.sun.jna.Pointer.nativeValue(cxx.getFunction(mangled));
        Symbolizer sym = new Symbolizer();
        int self = (int) ProcessHandle.current().pid();
        Symbol s = sym.resolveUser(sym.capture(self), self, ip + 1);
        assertThat(s.name()).isEqualTo("std::chrono::_V2::system_clock::now()");
        assertThat(s.mangled()).isEqualTo(mangled);
        assertThat(s.module()).contains("libstdc++");
        // C names are left alone and carry no second name.
        Symbol c = sym.resolveUser(sym.capture(self), self,
                com.sun.jna.Pointer.nativeValue(com.sun.jna.NativeLibrary.getInstance("c").getFunction("getpid")) + 1);
        assertThat(c.name()).isEqualTo("getpid");
        assertThat(c.mangled()).isNull();
    }

    @Test
    void fixedAddressExecutableResolvesWithoutBias() throws Exception {
        Path exe = Xq7.compile(dir, "xq7-nopie", "-fno-PIE", "-no-pie");
        Symbolizer sym = new Symbolizer();
        try (Xq7.Running p = new Xq7.Running(exe)) {
            assertThat(p.fn).isEqualTo(Xq7.nm(exe, Xq7.FN));
            assertThat(sym.resolveUser(sym.capture(p.pid), p.pid, p.fn + 2).name()).isEqualTo(Xq7.FN);
        }
    }

    @Test
    void strippedBinaryUsesBuildIdDebugFileOrFallsBackToModuleOffset() throws Exception {
        Path full = Xq7.compile(dir, "xq7-full", "-fPIE", "-pie");
        Path stripped = dir.resolve("xq7-stripped");
        Path debug = dir.resolve("xq7.debug");
        assumeTrue(Xq7.run("objcopy", "--only-keep-debug", full.toString(), debug.toString()) == 0);
        assumeTrue(Xq7.run("objcopy", "--strip-all", full.toString(), stripped.toString()) == 0);
        stripped.toFile().setExecutable(true);
        String id;
        try (ElfFile s = ElfFile.open(stripped); ElfFile d = ElfFile.open(debug)) {
            id = s.buildId();
            assertThat(id).isEqualTo(d.buildId());
        }
        Path debugRoot = dir.resolve("debug");
        Path target = debugRoot.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
        Files.createDirectories(target.getParent());
        Files.copy(debug, target);
        long vaddr = Xq7.nm(full, Xq7.FN);

        try (Xq7.Running p = new Xq7.Running(stripped)) {
            Symbolizer withDebug = new Symbolizer(Path.of("/proc"), dir, debugRoot);
            ProcessMaps maps = withDebug.capture(p.pid);
            assertThat(withDebug.resolveUser(maps, p.pid, p.fn + 4).name()).isEqualTo(Xq7.FN);

            Symbolizer without = new Symbolizer(Path.of("/proc"), dir, dir.resolve("no-debug-here"));
            Symbol s = without.resolveUser(maps, p.pid, p.fn + 4);
            assertThat(s.resolved()).isFalse();
            assertThat(s.name()).isEqualTo("xq7-stripped+0x" + Long.toHexString(vaddr + 4));
            assertThat(s.relPc()).isEqualTo(vaddr + 4);
        }
    }

    @Test
    void gnuDebuglinkIsFollowedWhenItsCrcMatches() throws Exception {
        Path full = Xq7.compile(dir, "xq7-dl-full", "-fPIE", "-pie");
        Path sub = Files.createDirectories(dir.resolve("dl"));
        Path stripped = sub.resolve("xq7-dl");
        Path debug = Files.createDirectories(sub.resolve(".debug")).resolve("xq7-dl.debug");
        assumeTrue(Xq7.run("objcopy", "--only-keep-debug", full.toString(), debug.toString()) == 0);
        assumeTrue(Xq7.run("objcopy", "--strip-all", "--add-gnu-debuglink=" + debug, full.toString(), stripped.toString()) == 0);
        stripped.toFile().setExecutable(true);
        try (ElfFile e = ElfFile.open(stripped)) {
            assertThat(e.debugLink().name()).isEqualTo("xq7-dl.debug");
        }
        Path noBuildIdDebug = dir.resolve("no-debug-here");
        try (Xq7.Running p = new Xq7.Running(stripped)) {
            Symbolizer sym = new Symbolizer(Path.of("/proc"), dir, noBuildIdDebug);
            ProcessMaps maps = sym.capture(p.pid);
            assertThat(sym.resolveUser(maps, p.pid, p.fn + 4).name()).isEqualTo(Xq7.FN);
        }
        // A file of that name with other contents (another build's) is not believed.
        Files.copy(full, debug, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Xq7.Running p = new Xq7.Running(stripped)) {
            Symbolizer sym = new Symbolizer(Path.of("/proc"), dir, noBuildIdDebug);
            ProcessMaps maps = sym.capture(p.pid);
            assertThat(sym.resolveUser(maps, p.pid, p.fn + 4).resolved()).isFalse();
        }
    }

    @Test
    void vdsoFramesAreNamed() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        Symbolizer sym = new Symbolizer();
        ProcessMaps maps = sym.capture(self);
        ProcessMaps.Mapping vdso = maps.mappings().stream().filter(m -> "[vdso]".equals(m.path())).findFirst().orElse(null);
        assumeTrue(vdso != null, "no vdso mapped");
        // Where nm finds clock_gettime in a copy of the image, checked independently of our reader.
        Path copy = dir.resolve("vdso.so");
        Files.write(copy, new com.sun.jna.Pointer(vdso.start()).getByteArray(0, (int) (vdso.end() - vdso.start())));
        String nm = dev.kernscope.tracer.KernelTestSupport.run("nm", "-D", copy.toString());
        long at = -1;
        for (String line : nm.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].startsWith("clock_gettime")) at = Long.parseUnsignedLong(f[0], 16);
        }
        assumeTrue(at > 0, "nm did not list clock_gettime");
        Symbol s = sym.resolveUser(maps, self, vdso.start() + at + 2);
        assertThat(s.name()).endsWith("clock_gettime");
        assertThat(s.module()).isEqualTo("[vdso]");
        assertThat(s.resolved()).isTrue();
    }

    @Test
    void mapsOutliveTheProcess() throws Exception {
        Symbolizer sym = new Symbolizer();
        ProcessMaps maps;
        long fn;
        int pid;
        try (Xq7.Running p = new Xq7.Running(pie)) {
            maps = sym.capture(p.pid);
            fn = p.fn;
            pid = p.pid;
        }
        assertThat(Files.exists(Path.of("/proc/" + pid + "/maps"))).isFalse();
        assertThat(new Symbolizer().resolveUser(maps, pid, fn + 4).name()).isEqualTo(Xq7.FN);
    }

    @Test
    void unknownAddressesBecomeModulePlusOffset() throws Exception {
        Symbolizer sym = new Symbolizer();
        try (Xq7.Running p = new Xq7.Running(pie)) {
            ProcessMaps maps = sym.capture(p.pid);
            Symbol none = sym.resolveUser(maps, p.pid, 0x10);
            assertThat(none.name()).isEqualTo("[unknown]+0x10");
            assertThat(none.kind()).isEqualTo(TraceWriter.FRAME_UNKNOWN);
            assertThat(none.resolved()).isFalse();
        }
    }

    @Test
    void kallsymsResolvesKernelFunctions() throws Exception {
        KernelSymbols k = new Symbolizer().kernel();
        assumeTrue(k.usable(), "kallsyms addresses need root (kptr_restrict)");
        long vfsRead = k.addressOf("vfs_read");
        assertThat(vfsRead).isNotZero();
        Symbol s = k.resolve(vfsRead + 4);
        assertThat(s.name()).isEqualTo("vfs_read");
        assertThat(s.module()).isEqualTo("[kernel]");
        assertThat(s.kind()).isEqualTo(TraceWriter.FRAME_KERNEL);
        assertThat(s.relPc()).isEqualTo(vfsRead - k.textStart());
        assertThat(k.resolve(k.addressOf("ksys_read") + 4).name()).isEqualTo("ksys_read");
        assertThat(k.resolve(0x1000).resolved()).isFalse();
        assertThat(k.resolve(0x1000).name()).startsWith("[kernel]+0x");
    }

    @Test
    void kallsymsFileWithModulesAndHiddenAddresses() throws Exception {
        Path f = dir.resolve("kallsyms-fake");
        Files.write(f, List.of(
                "0000000000000000 A fixed_percpu_data",
                "ffffffff81000000 T _stext",
                "ffffffff81000100 T alpha",
                "ffffffff81000180 t beta",
                "ffffffff81000200 D some_data",
                "ffffffff81000300 T _etext",
                "ffffffffc0001000 t mod_fn\t[nf_tables]",
                "ffffffffc0001100 t mod_fn2\t[nf_tables]"));
        KernelSymbols k = KernelSymbols.load(f);
        assertThat(k.resolve(0xffffffff81000190L).name()).isEqualTo("beta");
        assertThat(k.resolve(0xffffffff81000100L).relPc()).isEqualTo(0x100);
        Symbol m = k.resolve(0xffffffffc0001010L);
        assertThat(m.name()).isEqualTo("mod_fn");
        assertThat(m.module()).isEqualTo("[nf_tables]");

        Path hidden = dir.resolve("kallsyms-hidden");
        Files.write(hidden, List.of("0000000000000000 T _stext", "0000000000000000 T vfs_read"));
        assertThat(KernelSymbols.load(hidden).usable()).isFalse();
    }

    @Test
    void perfMapResolvesJitCodeLaterLinesWinning() throws Exception {
        int pid = 3_999_999; // above any live pid here, so only perfMapDir is consulted
        Path mapDir = dir.resolve("perfmaps");
        Files.createDirectories(mapDir);
        Files.write(mapDir.resolve("perf-" + pid + ".map"), List.of(
                "7f0000001000 100 LazyCompile:~fib /app/fib.js:1",
                "0x00007f0000002000 0x0000000000000080 java.lang.String::hashCode",
                "7f0000001000 40 Interpreter",
                "garbage line"));
        Symbolizer sym = new Symbolizer(Path.of("/proc"), mapDir, dir);
        // the process is not alive: its maps, captured earlier, say whose it was
        ProcessMaps maps = ProcessMaps.of(pid, dev.kernscope.tracer.bpf.LibC.geteuid(), List.of());
        Symbol s = sym.resolveUser(maps, pid, 0x7f0000002010L);
        assertThat(s.name()).isEqualTo("java.lang.String::hashCode");
        assertThat(s.module()).isEqualTo("[jit]");
        assertThat(s.kind()).isEqualTo(TraceWriter.FRAME_JIT);
        assertThat(sym.resolveUser(null, pid, 0x7f0000001010L).name()).isEqualTo("Interpreter");
        assertThat(sym.resolveUser(null, pid, 0x7f0000001080L).name()).isEqualTo("LazyCompile:~fib /app/fib.js:1");
        assertThat(sym.resolveUser(null, pid, 0x7f0000003000L).name()).isEqualTo("[unknown]+0x7f0000003000");
    }
}
