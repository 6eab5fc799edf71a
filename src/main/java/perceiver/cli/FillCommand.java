package perceiver.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.api.PerceiverIO;

@Command(name = "fill", description = "Masked byte prediction: prints TEXT with every [MASK] (one byte each) predicted.")
final class FillCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Parameters(paramLabel = "TEXT", description = "Text with [MASK] marks, e.g. \"Paris is the capital of [MASK][MASK][MASK][MASK][MASK][MASK].\"")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (model.model == null) {
            model.model = ModelOption.embeddedDefault();
            spec.commandLine().getErr().println("note: no --model given; using the embedded default " + model.model
                    + ", a tiny model with RANDOM weights (a golden test case): its predictions are meaningless."
                    + " Pass --model DIR with a real checkpoint (e.g. deepmind/language-perceiver) for real output.");
        }
        PerceiverIO m = model.load();
        if (!text.contains("[MASK]")) {
            throw new IllegalArgumentException("TEXT has no [MASK] to fill; mark each byte to predict with [MASK]");
        }
        spec.commandLine().getOut().println(m.fillMask(text));
        return 0;
    }
}
