package perceiver.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.golden.GoldenCase;
import perceiver.golden.GoldenRunner;
import perceiver.tensor.Backend;
import perceiver.tensor.Backends;
import perceiver.tensor.CpuBackend;

@Command(name = "golden", description = {
        "Runs golden case folders (config.json, weights.safetensors, io.safetensors) and compares every stored tensor.",
        "Prints PASS/FAIL/UNSUPPORTED per case; exits 1 if any case fails."})
final class GoldenCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "1..*")
    List<Path> dirs;

    @Option(names = {"-v", "--verbose"}, description = "Print every compared tensor.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int failed = 0;
        Main main = Main.root(spec);
        Backend<?> backend = Backends.create(main.backend, main.device, spec.commandLine().getErr()::println);
        if (backend != CpuBackend.INSTANCE) spec.commandLine().getErr().println("backend: " + backend.name());
        for (Path dir : dirs) {
            if (!java.nio.file.Files.exists(dir)) throw new IllegalArgumentException(dir + ": no such file or directory");
        }
        for (Path dir : dirs) {
            GoldenCase c = GoldenRunner.run(dir, backend);
            if (c.status() == GoldenCase.Status.NOT_A_CASE) {
                spec.commandLine().getOut().println("SKIP        " + c.name() + ": not a golden case folder");
                continue;
            }
            spec.commandLine().getOut().println(c.summary());
            if (verbose) c.detailLines().forEach(spec.commandLine().getOut()::println);
            if (c.status() == GoldenCase.Status.FAIL) failed++;
        }
        return failed == 0 ? 0 : 1;
    }
}
