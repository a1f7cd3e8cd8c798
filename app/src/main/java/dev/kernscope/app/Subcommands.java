package dev.kernscope.app;

import dev.kernscope.tracer.RecordCommand;
import picocli.CommandLine;

/** Adds the subcommands that other modules provide: the recorder lives in the tracer module. */
final class Subcommands {
    private Subcommands() {}

    static void addOptional(CommandLine cl) {
        cl.addSubcommand("record", new RecordCommand());
    }
}
