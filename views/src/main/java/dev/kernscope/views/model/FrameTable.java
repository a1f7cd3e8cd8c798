package dev.kernscope.views.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interned frames: each distinct (name, kind) gets a dense int id, so stacks and tree nodes hold ints only. A
 * frame may carry an alias, the linker's (mangled) name of a demangled one, which search matches too.
 * Not thread-safe while being filled; read-only use afterwards is safe from any thread.
 */
public final class FrameTable {
    private final List<String> names = new ArrayList<>();
    private final List<FrameKind> kinds = new ArrayList<>();
    private final Map<Integer, String> aliases = new HashMap<>();
    private final Map<String, Integer>[] index;

    @SuppressWarnings("unchecked")
    public FrameTable() {
        index = new Map[FrameKind.values().length];
        for (int i = 0; i < index.length; i++) index[i] = new HashMap<>();
    }

    /** Id of the frame, adding it on first use. */
    public int intern(String name, FrameKind kind) {
        Integer id = index[kind.ordinal()].get(name);
        if (id != null) return id;
        int n = names.size();
        names.add(name);
        kinds.add(kind);
        index[kind.ordinal()].put(name, n);
        return n;
    }

    public String name(int id) { return names.get(id); }

    /** Gives frame {@code id} another name that search matches (its mangled form); null does nothing. */
    public void alias(int id, String alias) {
        if (alias != null && !alias.equals(names.get(id))) aliases.put(id, alias);
    }

    /** The frame's alias, or null. */
    public String alias(int id) { return aliases.get(id); }

    public FrameKind kind(int id) { return kinds.get(id); }

    public int size() { return names.size(); }
}
