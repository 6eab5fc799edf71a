package perceiver.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        "Runs golden case folders (config.json, weights.safetensors, io.safetensors) and compares every stored tensor;",
        "a folder of case folders (e.g. golden/golden-hf-train) runs each of them.",
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
            if (!Files.exists(dir)) throw new IllegalArgumentException(dir + ": no such file or directory");
        }
        for (Path dir : casesIn(dirs)) {
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

    /** The folders given, a folder that is no case itself but holds case folders (golden/golden-hf-train) by those. */
    private static List<Path> casesIn(List<Path> dirs) {
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            List<Path> inside = GoldenRunner.isCase(dir) ? List.of() : GoldenRunner.casesIn(dir);
            if (inside.isEmpty()) out.add(dir);
            else out.addAll(inside);
        }
        return out;
    }
}
