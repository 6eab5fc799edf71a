package perceiver.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.api.PerceiverIO;

@Command(name = "classify-text", description = "Text classification: prints the top labels of TEXT with probabilities.")
final class ClassifyTextCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--top", defaultValue = "5", description = "How many labels to print (default ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "TEXT")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (model.model == null) throw new IllegalArgumentException("--model DIR is required");
        if (top < 1) throw new IllegalArgumentException("--top must be >= 1, got " + top);
        for (PerceiverIO.Prediction p : model.load().classifyText(text, top)) {
            spec.commandLine().getOut().printf("%.4f  %s%n", p.probability(), p.label());
        }
        return 0;
    }
}
