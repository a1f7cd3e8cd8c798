package dev.kernscope.tracer.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One libbpf object: open → set rodata / autoload / map sizes → load → attach → close, in
 * try-with-resources. Not thread-safe: drive it from one thread (map fds it hands out may be used anywhere).
 */
public final class BpfObject implements AutoCloseable {
    private static final Libbpf L = Libbpf.load();

    private final String name;
    private final Memory elf; // libbpf reads the ELF in place until load
    private Pointer obj;
    private final List<Pointer> links = new ArrayList<>();
    private final Map<String, Integer> attached = new LinkedHashMap<>();

    private BpfObject(String name, Memory elf, Pointer obj) {
        this.name = name;
        this.elf = elf;
        this.obj = obj;
    }

    /** Opens an object from its ELF bytes (a compiled {@code .bpf.o}). */
    public static BpfObject open(String name, byte[] elfBytes) throws BpfException {
        Memory m = new Memory(elfBytes.length);
        m.write(0, elfBytes, 0, elfBytes.length);
        Pointer obj = L.bpf_object__open_mem(m, elfBytes.length, null);
        if (obj == null) throw new BpfException("cannot open BPF object " + name, Native.getLastError());
        return new BpfObject(name, m, obj);
    }

    /** Silences libbpf's own stderr messages (warnings about fallbacks the recorder handles). */
    public static void quietLibbpf() {
        L.libbpf_set_print(null);
    }

    public String name() {
        return name;
    }

    public void setMaxEntries(String map, int maxEntries) throws BpfException {
        int rc = L.bpf_map__set_max_entries(map(map), maxEntries);
        if (rc < 0) throw new BpfException("cannot size map " + map + " to " + maxEntries, -rc);
    }

    /** Turns autoload on for the programs {@code wanted} accepts and off for the others, in one pass. */
    public void setAutoload(java.util.function.Predicate<String> wanted) throws BpfException {
        for (Pointer p = L.bpf_object__next_program(obj, null); p != null; p = L.bpf_object__next_program(obj, p)) {
            String prog = L.bpf_program__name(p);
            int rc = L.bpf_program__set_autoload(p, wanted.test(prog));
            if (rc < 0) throw new BpfException("cannot set autoload of " + prog, -rc);
        }
    }

    private Pointer rodataInit;
    private long rodataSize;
    private Map<String, int[]> rodataVars; // name -> {offset, size}, from the .rodata DATASEC

    /** Writes a {@code const volatile} global before load; {@code value} must be its exact size. */
    public void setRodata(String var, byte[] value) throws BpfException {
        if (rodataVars == null) readRodataLayout();
        int[] v = rodataVars.get(var);
        if (v == null) throw new BpfException(name + " has no rodata variable " + var, 0);
        if (v[1] != value.length || v[0] + v[1] > rodataSize) {
            throw new BpfException(var + " is " + v[1] + " bytes, got " + value.length, 0);
        }
        rodataInit.write(v[0], value, 0, value.length);
    }

    private void readRodataLayout() throws BpfException {
        Pointer rodata = null;
        for (Pointer m = L.bpf_object__next_map(obj, null); m != null; m = L.bpf_object__next_map(obj, m)) {
            if (L.bpf_map__name(m).endsWith(".rodata")) rodata = m;
        }
        if (rodata == null) throw new BpfException(name + " has no .rodata", 0);
        LongByReference size = new LongByReference();
        Pointer init = L.bpf_map__initial_value(rodata, size);
        Pointer btf = L.bpf_object__btf(obj);
        int sec = btf == null ? -1 : L.btf__find_by_name_kind(btf, ".rodata", Libbpf.BTF_KIND_DATASEC);
        if (init == null || sec < 0) throw new BpfException(name + ": .rodata has no BTF", 0);
        Pointer t = L.btf__type_by_id(btf, sec);
        int vlen = t.getInt(4) & 0xffff;
        Map<String, int[]> vars = new java.util.HashMap<>();
        for (int i = 0; i < vlen; i++) {
            int varType = t.getInt(12 + i * 12L), offset = t.getInt(16 + i * 12L), sz = t.getInt(20 + i * 12L);
            vars.put(L.btf__name_by_offset(btf, L.btf__type_by_id(btf, varType).getInt(0)), new int[]{offset, sz});
        }
        rodataInit = init;
        rodataSize = size.getValue();
        rodataVars = vars;
    }

    public void setRodata(String var, int value) throws BpfException {
        setRodata(var, new byte[]{(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
    }

    public void setRodata(String var, long value) throws BpfException {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (value >>> (8 * i));
        setRodata(var, b);
    }

    public void setRodata(String var, boolean value) throws BpfException {
        setRodata(var, new byte[]{(byte) (value ? 1 : 0)});
    }

    public void load() throws BpfException {
        int rc = L.bpf_object__load(obj);
        if (rc < 0) throw new BpfException("cannot load BPF object " + name, -rc);
    }

    /** Attaches one loaded program by its section's default attach point. */
    public void attach(String prog) throws BpfException {
        Pointer p = program(prog);
        Pointer link = L.bpf_program__attach(p);
        if (link == null) throw new BpfException("cannot attach " + prog, Native.getLastError());
        links.add(link);
        attached.put(prog, L.bpf_program__fd(p));
    }

    /**
     * Attaches a loaded {@code perf_event} program to an open perf event; libbpf enables the event and owns
     * its fd from then on (closed at {@link #detach()}). On failure the caller still owns {@code perfEventFd}.
     */
    public void attachPerfEvent(String prog, int perfEventFd) throws BpfException {
        Pointer p = program(prog);
        Pointer link = L.bpf_program__attach_perf_event(p, perfEventFd);
        if (link == null) throw new BpfException("cannot attach " + prog + " to perf event fd " + perfEventFd, Native.getLastError());
        links.add(link);
        attached.put(prog, L.bpf_program__fd(p));
    }

    /** The fd of a loaded program (attached or not). */
    public int programFd(String prog) throws BpfException {
        int fd = L.bpf_program__fd(program(prog));
        if (fd < 0) throw new BpfException("program " + prog + " has no fd (not loaded?)", -fd);
        return fd;
    }

    /** Attached programs and their fds, in attach order. */
    public Map<String, Integer> attachedPrograms() {
        return attached;
    }

    public int mapFd(String map) throws BpfException {
        int fd = L.bpf_map__fd(map(map));
        if (fd < 0) throw new BpfException("map " + map + " has no fd (not loaded?)", -fd);
        return fd;
    }

    /** Reads a per-CPU array's u64 values at {@code key}, one per possible CPU. */
    public static long[] lookupPerCpuU64(int mapFd, int key, Memory keyBuf, Memory valueBuf) throws BpfException {
        keyBuf.setInt(0, key);
        int rc = L.bpf_map_lookup_elem(mapFd, keyBuf, valueBuf);
        if (rc < 0) throw new BpfException("map lookup failed", -rc);
        long[] v = new long[(int) (valueBuf.size() / 8)];
        for (int i = 0; i < v.length; i++) v[i] = valueBuf.getLong(8L * i);
        return v;
    }

    /** bpf_map_lookup_elem: 0, or the negative errno (-ENOENT when the key is absent). */
    public static int lookup(int mapFd, Memory key, Memory value) {
        return L.bpf_map_lookup_elem(mapFd, key, value);
    }

    public static int possibleCpus() {
        return L.libbpf_num_possible_cpus();
    }

    /**
     * Cumulative run time (ns) and run count of a program, from {@code bpf_prog_info}; needs
     * {@link #enableRunTimeStats()} to be counting.
     */
    public static long[] runStats(int progFd, Memory info) throws BpfException {
        info.clear();
        IntByReference len = new IntByReference((int) info.size());
        int rc = L.bpf_obj_get_info_by_fd(progFd, info, len);
        if (rc < 0) throw new BpfException("bpf_obj_get_info_by_fd failed", -rc);
        return new long[]{info.getLong(192), info.getLong(200)}; // run_time_ns, run_cnt (uapi offsets)
    }

    /** Turns on the kernel's BPF run-time accounting until the returned fd is closed. */
    public static int enableRunTimeStats() throws BpfException {
        int fd = L.bpf_enable_stats(Libbpf.BPF_STATS_RUN_TIME);
        if (fd < 0) throw new BpfException("cannot enable BPF run-time stats", -fd);
        return fd;
    }

    private Pointer program(String prog) throws BpfException {
        Pointer p = L.bpf_object__find_program_by_name(obj, prog);
        if (p == null) throw new BpfException(name + " has no program " + prog, 0);
        return p;
    }

    private Pointer map(String map) throws BpfException {
        Pointer m = L.bpf_object__find_map_by_name(obj, map);
        if (m == null) throw new BpfException(name + " has no map " + map, 0);
        return m;
    }

    /** Detaches all programs; maps stay usable until {@link #close()}. */
    public void detach() {
        for (Pointer link : links) L.bpf_link__destroy(link);
        links.clear();
    }

    /** Detaches all programs and frees the object; safe to call twice. */
    @Override
    public void close() {
        detach();
        attached.clear();
        if (obj != null) {
            L.bpf_object__close(obj);
            obj = null;
        }
        elf.close();
    }
}
