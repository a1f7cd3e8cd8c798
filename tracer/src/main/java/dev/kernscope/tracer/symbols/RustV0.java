package dev.kernscope.tracer.symbols;

import java.math.BigInteger;

/**
 * A decoder of Rust's v0 symbol mangling (RFC 2603, {@code _R...}), written from the grammar. It prints what
 * {@code rustc-demangle} prints with {@code {:#}}: paths, impls, generic arguments, types and integer, bool and
 * char constants, without crate hashes. Punycode identifiers and the newer structured constants are not
 * decoded: such names stay mangled. Backreferences must point backwards and nesting is bounded, so no input
 * loops or recurses without end.
 *
 * <p>Stateless and thread-safe (each call has its own parser).
 */
final class RustV0 {
    private static final int MAX_DEPTH = 100;
    private static final int MAX_OUT = 8192;

    private final String s;
    private final int base;
    private int pos;
    private int depth;
    private final StringBuilder out = new StringBuilder();

    private static final class Bad extends Exception {
        Bad() {
            super(null, null, false, false);
        }
    }

    private RustV0(String s, int base) {
        this.s = s;
        this.base = base;
        this.pos = base;
    }

    /** The readable name, or null when {@code sym} is not a v0 name this decoder reads. */
    static String demangle(String sym) {
        if (sym == null || !sym.startsWith("_R")) return null;
        RustV0 p = new RustV0(sym, 2);
        try {
            if (p.pos < sym.length() && Character.isDigit(sym.charAt(p.pos))) p.decimal(); // encoding version
            p.path(true);
            // An instantiating crate may follow; it is not shown.
            return p.out.toString();
        } catch (Bad | RuntimeException e) {
            return null;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private char next() throws Bad {
        if (pos >= s.length()) throw new Bad();
        return s.charAt(pos++);
    }

    private boolean eat(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void emit(String t) throws Bad {
        out.append(t);
        if (out.length() > MAX_OUT) throw new Bad();
    }

    private void enter() throws Bad {
        if (++depth > MAX_DEPTH) throw new Bad();
    }

    private long decimal() throws Bad {
        char c = next();
        if (c == '0') return 0;
        if (c < '1' || c > '9') throw new Bad();
        long v = c - '0';
        while (Character.isDigit(peek())) {
            v = v * 10 + (next() - '0');
            if (v > 1_000_000) throw new Bad();
        }
        return v;
    }

    private long base62() throws Bad {
        if (eat('_')) return 0;
        long v = 0;
        while (true) {
            char c = next();
            if (c == '_') return v + 1;
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 36 : -1;
            if (d < 0) throw new Bad();
            // Disambiguators are 64-bit hashes; their value is never used, so saturating is enough.
            v = v > Long.MAX_VALUE / 64 ? Long.MAX_VALUE / 64 : v * 62 + d;
        }
    }

    private long disambiguator() throws Bad {
        return eat('s') ? base62() + 1 : 0;
    }

    private String identifier() throws Bad {
        if (eat('u')) throw new Bad(); // punycode: not decoded
        int len = (int) decimal();
        eat('_');
        if (pos + len > s.length()) throw new Bad();
        String id = s.substring(pos, pos + len);
        pos += len;
        return id;
    }

    /** Runs {@code body} at the earlier position a backreference names, then comes back. */
    private void backref(Runnable0 body) throws Bad {
        int at = pos - 1;
        long off = base62();
        if (off >= at - base) throw new Bad(); // only backwards: no loops
        long target = base + off;
        int saved = pos;
        pos = (int) target;
        body.run();
        pos = saved;
    }

    private interface Runnable0 {
        void run() throws Bad;
    }

    private void path(boolean value) throws Bad {
        enter();
        char c = next();
        switch (c) {
            case 'C' -> {
                disambiguator();
                emit(identifier());
            }
            case 'M' -> {
                disambiguator();
                skipPath();
                emit("<");
                type();
                emit(">");
            }
            case 'X' -> {
                disambiguator();
                skipPath();
                emit("<");
                type();
                emit(" as ");
                path(false);
                emit(">");
            }
            case 'Y' -> {
                emit("<");
                type();
                emit(" as ");
                path(false);
                emit(">");
            }
            case 'N' -> {
                char ns = next();
                if (!Character.isLetter(ns)) throw new Bad();
                path(value);
                long dis = disambiguator();
                String id = identifier();
                if (Character.isUpperCase(ns)) {
                    String kind = ns == 'C' ? "closure" : ns == 'S' ? "shim" : String.valueOf(ns);
                    emit("::{" + kind + (id.isEmpty() ? "" : ":" + id) + "#" + dis + "}");
                } else if (!id.isEmpty()) {
                    emit("::" + id);
                }
            }
            case 'I' -> {
                path(value);
                emit(value ? "::<" : "<");
                for (int i = 0; !eat('E'); i++) {
                    if (i > 0) emit(", ");
                    genericArg();
                }
                emit(">");
            }
            case 'B' -> backref(() -> path(value));
            default -> throw new Bad();
        }
        depth--;
    }

    /** An impl's own path is not printed (the type says it); it is parsed to move past it. */
    private void skipPath() throws Bad {
        int mark = out.length();
        path(false);
        out.setLength(mark);
    }

    private void genericArg() throws Bad {
        if (peek() == 'L') {
            pos++;
            lifetime(base62());
        } else if (eat('K')) {
            constant();
        } else {
            type();
        }
    }

    private void lifetime(long n) throws Bad {
        emit(n == 0 ? "'_" : "'" + (n <= 26 ? String.valueOf((char) ('a' + n - 1)) : "_" + n));
    }

    private static String basic(char c) {
        return switch (c) {
            case 'a' -> "i8";
            case 'b' -> "bool";
            case 'c' -> "char";
            case 'd' -> "f64";
            case 'e' -> "str";
            case 'f' -> "f32";
            case 'h' -> "u8";
            case 'i' -> "isize";
            case 'j' -> "usize";
            case 'l' -> "i32";
            case 'm' -> "u32";
            case 'n' -> "i128";
            case 'o' -> "u128";
            case 's' -> "i16";
            case 't' -> "u16";
            case 'u' -> "()";
            case 'v' -> "...";
            case 'x' -> "i64";
            case 'y' -> "u64";
            case 'z' -> "!";
            case 'p' -> "_";
            default -> null;
        };
    }

    private void type() throws Bad {
        enter();
        char c = peek();
        String b = basic(c);
        if (b != null) {
            pos++;
            emit(b);
        } else if (c == 'C' || c == 'M' || c == 'X' || c == 'Y' || c == 'N' || c == 'I') {
            path(false);
        } else {
            pos++;
            switch (c) {
                case 'A' -> {
                    emit("[");
                    type();
                    emit("; ");
                    constant();
                    emit("]");
                }
                case 'S' -> {
                    emit("[");
                    type();
                    emit("]");
                }
                case 'R', 'Q' -> {
                    emit(c == 'R' ? "&" : "&mut ");
                    if (peek() == 'L') {
                        pos++;
                        long n = base62();
                        if (n != 0) {
                            lifetime(n);
                            emit(" ");
                        }
                    }
                    type();
                }
                case 'P' -> {
                    emit("*const ");
                    type();
                }
                case 'O' -> {
                    emit("*mut ");
                    type();
                }
                case 'F' -> fnSig();
                case 'T' -> {
                    emit("(");
                    int n = 0;
                    for (; !eat('E'); n++) {
                        if (n > 0) emit(", ");
                        type();
                    }
                    if (n == 1) emit(",");
                    emit(")");
                }
                case 'D' -> {
                    emit("dyn ");
                    if (eat('G')) base62();
                    for (int i = 0; !eat('E'); i++) {
                        if (i > 0) emit(" + ");
                        dynTrait();
                    }
                    if (next() != 'L') throw new Bad();
                    long n = base62();
                    if (n != 0) {
                        emit(" + ");
                        lifetime(n);
                    }
                }
                case 'B' -> backref(this::type);
                default -> throw new Bad();
            }
        }
        depth--;
    }

    private void fnSig() throws Bad {
        if (eat('G')) base62();
        if (eat('U')) emit("unsafe ");
        if (eat('K')) {
            String abi = eat('C') ? "C" : identifier().replace('_', '-');
            emit("extern \"" + abi + "\" ");
        }
        emit("fn(");
        for (int i = 0; !eat('E'); i++) {
            if (i > 0) emit(", ");
            type();
        }
        emit(")");
        int mark = out.length();
        emit(" -> ");
        int before = out.length();
        type();
        if (out.substring(before).equals("()")) out.setLength(mark);
    }

    private void dynTrait() throws Bad {
        int mark = out.length();
        path(false);
        boolean open = false;
        while (eat('p')) {
            if (!open) {
                // Associated type bindings go inside the trait's generic list, or open one.
                if (out.length() > mark && out.charAt(out.length() - 1) == '>') {
                    out.setLength(out.length() - 1);
                    emit(", ");
                } else {
                    emit("<");
                }
                open = true;
            } else {
                emit(", ");
            }
            emit(identifier() + " = ");
            type();
        }
        if (open) emit(">");
    }

    private void constant() throws Bad {
        enter();
        if (eat('p')) {
            emit("_");
        } else if (peek() == 'B') {
            pos++;
            backref(this::constant);
        } else {
            char t = next();
            boolean neg = eat('n');
            int start = pos;
            while (Character.digit(peek(), 16) >= 0) pos++;
            String hex = s.substring(start, pos);
            if (next() != '_') throw new Bad();
            BigInteger v = hex.isEmpty() ? BigInteger.ZERO : new BigInteger(hex, 16);
            switch (t) {
                case 'a', 's', 'l', 'x', 'n', 'i', 'h', 't', 'm', 'y', 'o', 'j' -> emit((neg ? "-" : "") + v);
                case 'b' -> {
                    if (v.signum() == 0) emit("false");
                    else if (v.equals(BigInteger.ONE)) emit("true");
                    else throw new Bad();
                }
                case 'c' -> {
                    int cp = v.intValueExact();
                    if (!Character.isValidCodePoint(cp)) throw new Bad();
                    emit("'" + new String(Character.toChars(cp)) + "'");
                }
                default -> throw new Bad();
            }
        }
        depth--;
    }
}
