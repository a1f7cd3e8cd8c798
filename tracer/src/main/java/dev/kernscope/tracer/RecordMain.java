package dev.kernscope.tracer;

import picocli.CommandLine;

/** Standalone entry point of the recording helper: {@code java -cp ... dev.kernscope.tracer.RecordMain record -o F}. */
public final class RecordMain {
    private RecordMain() {
    }

    public static void main(String[] args) {
        String[] a = args.length > 0 && args[0].equals("record") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        System.exit(new CommandLine(new RecordCommand()).setExpandAtFiles(false).execute(a));
    }
}
