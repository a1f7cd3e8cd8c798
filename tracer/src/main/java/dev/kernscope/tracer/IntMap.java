package dev.kernscope.tracer;


/** Open-addressing int → object map (tids and pids), so lookups do not box. Not thread-safe. */
final class IntMap<V> {
    private int[] keys = new int[1024];
    private Object[] vals = new Object[1024];
    private boolean[] used = new boolean[1024];
    private int size;

    @SuppressWarnings("unchecked")
    V get(int key) {
        int m = keys.length - 1;
        for (int i = mix(key) & m; used[i]; i = (i + 1) & m) {
            if (keys[i] == key) return (V) vals[i];
        }
        return null;
    }

    void put(int key, V val) {
        if (size * 2 >= keys.length) grow();
        int m = keys.length - 1;
        int i = mix(key) & m;
        while (used[i] && keys[i] != key) i = (i + 1) & m;
        if (!used[i]) size++;
        used[i] = true;
        keys[i] = key;
        vals[i] = val;
    }

    @SuppressWarnings("unchecked")
    void forEach(java.util.function.Consumer<V> action) {
        for (int i = 0; i < keys.length; i++) if (used[i]) action.accept((V) vals[i]);
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        int[] k = keys;
        Object[] v = vals;
        boolean[] u = used;
        keys = new int[k.length * 2];
        vals = new Object[k.length * 2];
        used = new boolean[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) if (u[i]) put(k[i], (V) v[i]);
    }

    private static int mix(int k) {
        return k * 0x9E3779B1 >>> 7 ^ k;
    }
}
