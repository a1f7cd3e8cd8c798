package dev.kernscope.tracer.symbols;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Names as people read them: C++ (Itanium ABI) through libstdc++'s own {@code __cxa_demangle}, Rust legacy
 * names (Itanium-shaped, then the {@code ::h<hash>} suffix dropped and {@code $LT$}-style escapes decoded) and
 * Rust v0 ({@code _R...}) through {@link RustV0}. Anything else, or anything that fails, stays as it is.
 *
 * <p>Names come from binaries other users control, and the C demangler recurses and sizes stack arrays by the
 * name's length: names longer than {@link #MAX_MANGLED} stay mangled, and {@code __cxa_demangle} runs on a
 * thread of its own with a large stack and a time limit. One that does not finish in time disables C++
 * demangling for the rest of the recording (counted in {@link #timeouts()}); the thread is left to finish.
 *
 * <p>Thread-safe.
 */
public final class Demangler {
    /** Longer mangled names are kept as they are (real ones rarely pass 1 KiB). */
    static final int MAX_MANGLED = 4096;
    /** Longer demangled names are cut (a short hostile name can still expand a lot). */
    static final int MAX_DEMANGLED = 8192;
    private static final long TIMEOUT_MS = 2000;
    private static final long STACK_BYTES = 64L << 20;

    interface Cxx extends Library {
        Pointer __cxa_demangle(String mangled, Pointer buf, Pointer len, IntByReference status);
    }

    interface C extends Library {
        void free(Pointer p);
    }

    private static final Demangler INSTANCE = new Demangler();

    private final Cxx cxx;
    private final C libc;
    private final ExecutorService worker;
    private volatile boolean cxxDisabled;
    private volatile long timeouts;

    private Demangler() {
        Cxx x = null;
        C c = null;
        try {
            x = loadCxx();
            c = Native.load("c", C.class);
        } catch (Throwable t) {
            // no libstdc++: C++ names stay mangled
        }
        cxx = x;
        libc = c;
        worker = cxx == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "kernscope-demangle", STACK_BYTES);
            t.setDaemon(true);
            return t;
        });
    }

    /** The runtime's libstdc++ by its soname (machines without g++ have no unversioned libstdc++.so). */
    private static Cxx loadCxx() {
        try {
            return Native.load("libstdc++.so.6", Cxx.class);
        } catch (UnsatisfiedLinkError e) {
            return Native.load("stdc++", Cxx.class);
        }
    }

    /** The process-wide demangler. */
    public static Demangler get() {
        return INSTANCE;
    }

    /** Whether C++ names can be demangled here (libstdc++ loaded, no time-out so far). */
    public boolean cxxAvailable() {
        return cxx != null && !cxxDisabled;
    }

    /** Calls of {@code __cxa_demangle} that ran out of time. */
    public long timeouts() {
        return timeouts;
    }

    /** True for names in a mangling this class knows: {@code _Z...} (C++, Rust legacy) and {@code _R...} (Rust v0). */
    public static boolean looksMangled(String name) {
        return name != null && name.length() > 2 && name.charAt(0) == '_'
                && (name.charAt(1) == 'Z' || name.charAt(1) == 'R'
                    || (name.charAt(1) == '_' && name.length() > 3 && name.charAt(2) == 'Z'));
    }

    /** The readable form of {@code name}, or {@code name} itself when it is not mangled or cannot be decoded. */
    public String demangle(String name) {
        if (!looksMangled(name) || name.length() > MAX_MANGLED) return name;
        String out;
        String suffix = "";
        if (name.startsWith("_R")) {
            // Text after the first '.' is a compiler suffix (.llvm.123, .cold): not part of the name.
            int dot = name.indexOf('.');
            out = RustV0.demangle(dot > 0 ? name.substring(0, dot) : name);
        } else {
            // __cxa_demangle reads clone suffixes itself ("foo() [clone .cold]").
            String z = name.startsWith("__Z") ? name.substring(1) : name;
            // Rust legacy names contain '.' ("..", escapes) and may end in ".llvm.123": the suffix starts after the E.
            int e = z.lastIndexOf("E.");
            String core = isRustLegacy(z) || e < 0 ? z : z.substring(0, e + 1);
            if (isRustLegacy(core)) {
                out = cxx(core);
                if (out != null) out = rustLegacy(out);
            } else {
                out = cxx(z);
            }
        }
        if (out == null || out.isEmpty()) return name;
        return out.length() > MAX_DEMANGLED ? out.substring(0, MAX_DEMANGLED) + "…" : out;
    }

    private String cxx(String mangled) {
        if (!cxxAvailable()) return null;
        Future<String> f;
        try {
            f = worker.submit(() -> cxxNow(mangled));
        } catch (RuntimeException e) {
            return null;
        }
        try {
            return f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cxxDisabled = true;
            timeouts++;
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    private String cxxNow(String mangled) {
        IntByReference status = new IntByReference(-1);
        Pointer p = cxx.__cxa_demangle(mangled, null, null, status);
        if (p == null) return null;
        try {
            // NUL-terminated, and already in memory: its length is whatever the demangler made, cut afterwards.
            return status.getValue() == 0 ? p.getString(0, "UTF-8") : null;
        } finally {
            libc.free(p);
        }
    }

    /**
     * Rust's legacy mangling: an Itanium nested name whose last component is {@code h} and 16 hex digits.
     */
    static boolean isRustLegacy(String z) {
        if (!z.startsWith("_ZN") || !z.endsWith("E") || z.length() < 24) return false;
        String tail = z.substring(z.length() - 20, z.length() - 1);
        if (!tail.startsWith("17h")) return false;
        for (int i = 3; i < tail.length(); i++) if (Character.digit(tail.charAt(i), 16) < 0) return false;
        return true;
    }

    /** {@code a::b::h0123456789abcdef} with Rust's escapes → {@code a::b}. */
    static String rustLegacy(String s) {
        int h = s.lastIndexOf("::h");
        if (h > 0 && s.length() - h == 19) s = s.substring(0, h);
        StringBuilder out = new StringBuilder(s.length());
        String[] parts = s.split("::", -1);
        for (int k = 0; k < parts.length; k++) {
            if (k > 0) out.append("::");
            String part = parts[k];
            // A leading '_' before an escape is how rustc keeps identifiers from starting with '$'.
            if (part.startsWith("_$")) part = part.substring(1);
            out.append(unescapeRust(part));
        }
        return out.toString();
    }

    private static String unescapeRust(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '.' && i + 1 < s.length() && s.charAt(i + 1) == '.') {
                out.append("::");
                i += 2;
            } else if (c == '$') {
                int end = s.indexOf('$', i + 1);
                String code = end > i ? s.substring(i + 1, end) : null;
                String r = code == null ? null : rustEscape(code);
                if (r == null) return s; // not an escape we know: show the identifier as it is
                out.append(r);
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String rustEscape(String code) {
        switch (code) {
            case "SP": return "@";
            case "BP": return "*";
            case "RF": return "&";
            case "LT": return "<";
            case "GT": return ">";
            case "LP": return "(";
            case "RP": return ")";
            case "C": return ",";
            default:
                if (code.length() > 1 && code.length() <= 7 && code.charAt(0) == 'u') {
                    try {
                        int cp = Integer.parseInt(code.substring(1), 16);
                        if (Character.isValidCodePoint(cp) && !Character.isISOControl(cp)) return new String(Character.toChars(cp));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                return null;
        }
    }
}
