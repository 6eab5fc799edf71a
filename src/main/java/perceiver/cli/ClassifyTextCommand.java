package perceiver.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
        Predictions.checkTop(top);
        Predictions.print(spec.commandLine().getOut(), model.loadRequired().classifyText(text, top), "");
        return 0;
    }
}
