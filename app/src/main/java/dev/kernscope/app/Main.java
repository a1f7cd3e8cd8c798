package dev.kernscope.app;

import dev.kernscope.app.cli.ExportCommand;
import dev.kernscope.app.cli.GenCommand;
import dev.kernscope.app.cli.InfoCommand;
import dev.kernscope.app.cli.RecoverCommand;
import dev.kernscope.storage.TraceFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The {@code kernscope} command line: subcommands for recording, inspecting, exporting and generating
 * traces; with no subcommand it opens the desktop app (on the given files, or the bundled sample).
 */
@Command(name = "kernscope", mixinStandardHelpOptions = true, version = "kernscope 0.1.0",
        description = "Record and explore what the Linux scheduler, CPU stacks and NUMA memory are doing.",
        subcommands = {InfoCommand.class, RecoverCommand.class, ExportCommand.class, GenCommand.class})
public final class Main implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "FILE", description = "traces to open in the desktop app")
    List<Path> files = List.of();

    @Override
    public Integer call() {
        return DesktopLauncher.launch(files);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 failure, 2 usage or missing privileges. */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        try {
            return cl.execute(args);
        } catch (Throwable e) { // picocli hands on Errors (a trace that lies can cause OutOfMemoryError)
            return fail(e, cl);
        }
    }

    /** The whole command line, subcommands and handlers set up (public for tests that list the subcommands). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        Subcommands.addOptional(cl);
        // every subcommand answers --help (the one-line errors point there), and `kernscope help CMD` works
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
        }
        cl.addSubcommand(new CommandLine.HelpCommand());
        // no @file expansion (set after adding subcommands, so they have it too): `--cpus @/etc/shadow` would
        // put the file's lines into an error message
        cl.setExpandAtFiles(false);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> fail(e, cmd));
        // a mistyped option is one line, not the whole usage text
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandName().equals("kernscope") ? "kernscope" : "kernscope " + cmd.getCommandName();
            String msg = String.valueOf(e.getMessage()).replaceAll("[\\p{Cntrl}]+", " ").strip();
            if (msg.length() > 200) msg = msg.substring(0, 200) + "...";
            cmd.getErr().println(name + ": " + msg + " (" + name + " --help lists the options)");
            cmd.getErr().flush();
            return 2;
        });
        return cl;
    }

    /** A user-facing failure is one line; the stack trace is for KERNSCOPE_DEBUG=1. */
    private static int fail(Throwable e, CommandLine cmd) {
        if (System.getenv("KERNSCOPE_DEBUG") != null) e.printStackTrace(cmd.getErr());
        cmd.getErr().println("kernscope: " + TraceFormatException.oneLine(e));
        cmd.getErr().flush();
        return 1;
    }
}
