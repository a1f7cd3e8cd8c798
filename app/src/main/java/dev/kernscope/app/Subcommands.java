package dev.kernscope.app;

import picocli.CommandLine;

/** Adds the subcommands that other modules provide (the recorder lives in the tracer module). */
final class Subcommands {
    private Subcommands() {}

    static void addOptional(CommandLine cl) {
        // Filled in once the tracer's RecordCommand lands.
    }
}
