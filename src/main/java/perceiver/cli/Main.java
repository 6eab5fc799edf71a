package perceiver.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import perceiver.checkpoint.CheckpointException;
import perceiver.models.UnsupportedModelException;
import perceiver.tensor.BackendUnavailableException;
import perceiver.tensor.Parallel;

/**
 * The {@code perceiver} command line. Bad input (a flag, a file, a text too long for the model) prints one
 * {@code error:} line and exits with code 2; set {@code PERCEIVER_DEBUG=1} to see stack traces.
 */
@Command(name = "perceiver", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "perceiver-io-java 0.1.0",
        description = "Perceiver IO (Jaegle et al., ICLR 2022) in pure Java.",
        subcommands = {FillCommand.class, ClassifyTextCommand.class, ClassifyCommand.class, FlowCommand.class,
                AutoencodeCommand.class, InfoCommand.class, ConvertCommand.class, GoldenCommand.class,
                DevicesCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    static final int EXIT_BAD_INPUT = 2;

    @Option(names = "--threads", description = "Worker threads for the kernels (default: all processors).",
            scope = CommandLine.ScopeType.INHERIT)
    void threads(int n) {
        if (n < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + n);
        Parallel.setThreads(n);
    }

    @Option(names = "--backend", paramLabel = "cpu|opencl|auto", scope = CommandLine.ScopeType.INHERIT,
            description = "Where models run: cpu (default), opencl (fails if OpenCL cannot run), or auto (an OpenCL"
                    + " GPU if there is one, else cpu).")
    String backend = "cpu";

    @Option(names = "--device", paramLabel = "N|P:D", scope = CommandLine.ScopeType.INHERIT,
            description = "OpenCL device: index N or PLATFORM:DEVICE as 'perceiver devices' lists them (default: the"
                    + " first GPU, else the first device).")
    String device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The global options, seen from any sub-command. */
    static Main root(CommandLine.Model.CommandSpec command) {
        return (Main) command.root().userObject();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (System.getenv("PERCEIVER_DEBUG") != null) e.printStackTrace(err);
            if (isBadInput(e)) {
                err.println("error: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            err.println("internal error: " + e + " (set PERCEIVER_DEBUG=1 for the stack trace)");
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            err.println("run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage");
            return EXIT_BAD_INPUT;
        });
        return cl;
    }

    private static boolean isBadInput(Exception e) {
        return e instanceof CheckpointException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof UnsupportedModelException
                || e instanceof UncheckedIOException || e instanceof java.io.IOException
                || e instanceof BackendUnavailableException;
    }
}
