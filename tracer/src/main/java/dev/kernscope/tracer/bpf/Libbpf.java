package dev.kernscope.tracer.bpf;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

/**
 * JNA bindings to the parts of the system libbpf 1.x ({@code libbpf.so.1}) the recorder uses.
 * Pointer-returning calls return NULL and set errno; int-returning calls return -errno.
 * libbpf calls on distinct objects are thread-safe; one object must not be used from two threads at once.
 */
public interface Libbpf extends Library {
    int BTF_KIND_DATASEC = 15;
    int BPF_STATS_RUN_TIME = 0;

    Pointer bpf_object__open_mem(Pointer buf, long size, Pointer opts);
    int bpf_object__load(Pointer obj);
    void bpf_object__close(Pointer obj);
    Pointer bpf_object__next_program(Pointer obj, Pointer prev);
    Pointer bpf_object__next_map(Pointer obj, Pointer prev);
    Pointer bpf_object__find_program_by_name(Pointer obj, String name);
    Pointer bpf_object__find_map_by_name(Pointer obj, String name);
    Pointer bpf_object__btf(Pointer obj);

    String bpf_program__name(Pointer prog);
    int bpf_program__set_autoload(Pointer prog, boolean autoload);
    int bpf_program__fd(Pointer prog);
    Pointer bpf_program__attach(Pointer prog);
    Pointer bpf_program__attach_perf_event(Pointer prog, int perfEventFd);
    int bpf_link__destroy(Pointer link);

    String bpf_map__name(Pointer map);
    int bpf_map__fd(Pointer map);
    int bpf_map__set_max_entries(Pointer map, int maxEntries);
    Pointer bpf_map__initial_value(Pointer map, LongByReference size);

    int btf__find_by_name_kind(Pointer btf, String name, int kind);
    Pointer btf__type_by_id(Pointer btf, int id);
    String btf__name_by_offset(Pointer btf, int offset);

    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);
    int bpf_obj_get_info_by_fd(int fd, Pointer info, IntByReference infoLen);
    int bpf_enable_stats(int type);
    int libbpf_num_possible_cpus();

    /** libbpf's print callback; only ever passed as null here, to silence libbpf. */
    interface PrintFn extends Callback {
        int invoke(int level, Pointer format, Pointer args);
    }

    Pointer libbpf_set_print(PrintFn fn);

    /** Loads the system libbpf; throws {@link UnsatisfiedLinkError} when libbpf.so.1 is not installed. */
    static Libbpf load() {
        return Holder.INSTANCE;
    }

    final class Holder {
        static final Libbpf INSTANCE = Native.load("libbpf.so.1", Libbpf.class);

        private Holder() {
        }
    }
}
