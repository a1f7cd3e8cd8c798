package dev.kernscope.tracer.bpf;

/**
 * Loads an object whose tracepoint programs come twice, as {@code *_btf} (tp_btf) and {@code *_raw} (raw_tp):
 * the tp_btf flavour first, the raw_tp one where the kernel refuses it, as runqslower switches with autoload.
 * Stateless.
 */
public final class FlavourLoader {
    private FlavourLoader() {}

    /** Sets up an opened object for one flavour, {@code "btf"} or {@code "raw"}, before it is loaded. */
    @FunctionalInterface
    public interface Setup {
        void configure(BpfObject o, String flavour) throws BpfException;
    }

    /** A loaded object and the flavour it loaded with: {@code "tp_btf"} or {@code "raw_tp"}. */
    public record Loaded(BpfObject obj, String mode) {
        /** The ending of this flavour's program names, {@code "_btf"} or {@code "_raw"}. */
        public String suffix() {
            return mode.equals("tp_btf") ? "_btf" : "_raw";
        }
    }

    /**
     * The flavours to try, in order: tp_btf then raw_tp, or only the one {@code -Dkernscope.attach=tp_btf|raw_tp}
     * names (tests use it to exercise the fallback on a kernel that takes both).
     */
    static String[] flavours() {
        return switch (System.getProperty("kernscope.attach", "")) {
            case "tp_btf" -> new String[]{"btf"};
            case "raw_tp" -> new String[]{"raw"};
            default -> new String[]{"btf", "raw"};
        };
    }

    /** Opens and loads {@code elf} in the first flavour the kernel takes; throws the first failure if neither loads. */
    public static Loaded load(String name, byte[] elf, Setup setup) throws BpfException {
        BpfException first = null;
        for (String flavour : flavours()) {
            BpfObject o = BpfObject.open(name, elf);
            try {
                setup.configure(o, flavour);
                o.load();
                return new Loaded(o, flavour.equals("btf") ? "tp_btf" : "raw_tp");
            } catch (BpfException e) {
                o.close();
                if (first == null) first = e;
            }
        }
        throw first;
    }
}
