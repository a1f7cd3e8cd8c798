package dev.kernscope.app;

import picocli.CommandLine;

/**
 * Adds the subcommands that other modules provide: the recorder ({@code dev.kernscope.tracer.RecordCommand})
 * when the tracer module of this build has it, else a stand-in that says recording is not in this build.
 */
final class Subcommands {
    private Subcommands() {}

    static void addOptional(CommandLine cl) {
        try {
            Class<?> c = Class.forName("dev.kernscope.tracer.RecordCommand");
            cl.addSubcommand("record", c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            cl.addSubcommand("record", new NoRecorder());
        }
    }

    @CommandLine.Command(name = "record", description = "Record a trace (not in this build: the tracer module has no recorder yet).")
    static final class NoRecorder implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Unmatched
        java.util.List<String> ignored;

        @Override
        public Integer call() {
            System.err.println("kernscope: this build has no recorder yet (the tracer's record command is not merged)");
            return 2;
        }
    }
}
