package dev.kernscope.tracer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code kernscope-record-helper}: the only kernscope program that the polkit policy lets a user start as root.
 * It records and nothing else, with its own fixed grammar: each option at most once, its value in the next
 * argument, every value matched by a pattern and bounded (no {@code @file} expansion, no {@code --opt=value},
 * no paths other than the output: the BPF objects come from the installed jar). The output is created as the
 * user who asked ({@code PKEXEC_UID}/{@code SUDO_UID}, see {@code FileIdentity}). Exit codes as
 * {@code kernscope record}. Not thread-safe; runs once per process.
 */
public final class RecordHelperMain {
    static final String NAME = "kernscope-record-helper";
    static final String USAGE = "usage: " + NAME + " -o /ABSOLUTE/FILE.ktrace [-d SECONDS] [--cpus LIST] [--pid PID]"
            + " [--buffer MB] [--freq HZ] [--min-block-us US] [--no-stacks] [--force] [--stop-on-stdin-eof] [--verbose]";
    static final int MAX_ARGS = 24, MAX_PATH = 4095;
    static final double MAX_SECONDS = 7 * 86400;

    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,6}(\\.[0-9]{1,3})?");
    private static final Pattern CPUS = Pattern.compile("[0-9][0-9,-]{0,255}");
    private static final Pattern INT = Pattern.compile("[0-9]{1,9}");

    private RecordHelperMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.err, true)));
    }

    /** Parses {@code args} and records; returns the exit code. */
    static int run(String[] args, PrintWriter err) {
        RecordCommand c;
        try {
            c = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            err.println(USAGE);
            err.flush();
            return RecordCommand.NO_PRIVILEGE;
        }
        return c.call();
    }

    /** The recording {@code args} ask for, or an IllegalArgumentException naming the first thing wrong. */
    static RecordCommand parse(String[] args) {
        if (args.length > MAX_ARGS) throw new IllegalArgumentException("too many arguments");
        RecordCommand c = new RecordCommand();
        c.bufferMb = 16;
        c.freqHz = 99;
        c.minBlockUs = 1000;
        Set<String> seen = new HashSet<>();
        List<String> meta = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (!seen.add(opt)) throw new IllegalArgumentException(shown(opt) + " given twice");
            switch (opt) {
                case "--no-stacks" -> c.noStacks = true;
                case "--force" -> c.force = true;
                case "--stop-on-stdin-eof" -> c.stopOnStdinEof = true;
                case "--verbose" -> c.verbose = true;
                case "-o", "-d", "--cpus", "--pid", "--buffer", "--freq", "--min-block-us" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(opt + " needs a value");
                    String v = args[++i];
                    value(c, opt, v);
                    meta.add(opt);
                    meta.add(v);
                    continue;
                }
                default -> throw new IllegalArgumentException("unknown argument " + shown(opt));
            }
            meta.add(opt);
        }
        if (c.output == null) throw new IllegalArgumentException("-o FILE is required");
        c.metaArgs = meta;
        return c;
    }

    private static void value(RecordCommand c, String opt, String v) {
        switch (opt) {
            case "-o" -> c.output = output(v);
            case "-d" -> {
                if (!SECONDS.matcher(v).matches()) throw new IllegalArgumentException("-d wants seconds such as 10 or 2.5");
                double d = Double.parseDouble(v);
                if (d <= 0 || d > MAX_SECONDS) throw new IllegalArgumentException("-d must be more than 0 and at most " + (int) MAX_SECONDS);
                c.duration = d;
            }
            case "--cpus" -> {
                if (!CPUS.matcher(v).matches()) throw new IllegalArgumentException("--cpus wants a CPU list such as 0-3,8");
                RecordOptions.parseCpuList(v); // bounds: CPUs below 1024, no reversed ranges
                c.cpus = v;
            }
            case "--pid" -> c.pid = bounded(opt, v, 1, 4_194_304);
            case "--buffer" -> c.bufferMb = bounded(opt, v, 1, 512);
            case "--freq" -> c.freqHz = bounded(opt, v, 1, 10_000);
            case "--min-block-us" -> c.minBlockUs = bounded(opt, v, 0, 60_000_000);
            default -> throw new IllegalStateException(opt);
        }
    }

    private static int bounded(String opt, String v, int lo, int hi) {
        if (!INT.matcher(v).matches()) throw new IllegalArgumentException(opt + " wants a whole number from " + lo + " to " + hi);
        int n = Integer.parseInt(v);
        if (n < lo || n > hi) throw new IllegalArgumentException(opt + " must be from " + lo + " to " + hi);
        return n;
    }

    private static Path output(String v) {
        if (v.isEmpty() || v.length() > MAX_PATH || v.indexOf('\0') >= 0 || !v.startsWith("/") || v.endsWith("/")) {
            throw new IllegalArgumentException("-o wants an absolute file path (at most " + MAX_PATH + " characters)");
        }
        Path p = Path.of(v);
        if (p.getFileName() == null) throw new IllegalArgumentException("-o wants a file, not a folder");
        return p;
    }

    /** An argument as shown in an error: printable and short, so no message can carry much of anything. */
    private static String shown(String arg) {
        String s = arg.length() > 32 ? arg.substring(0, 32) : arg;
        StringBuilder b = new StringBuilder("'");
        for (char ch : s.toCharArray()) b.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        if (s.length() < arg.length()) b.append("...");
        return b.append('\'').toString();
    }
}
