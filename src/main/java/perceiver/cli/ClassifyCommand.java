package perceiver.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.api.PerceiverIO;

@Command(name = "classify", description = {
        "Image classification: the top labels of each IMAGE with probabilities.",
        "IMAGE: PNG, JPEG, BMP or GIF; HF's ImageNet preprocessing (centre crop, bicubic resize to 224x224)."})
final class ClassifyCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--top", defaultValue = "5", description = "How many labels to print per image (default ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "IMAGE", arity = "1..*")
    List<Path> images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Predictions.checkTop(top);
        List<List<PerceiverIO.Prediction>> results = model.loadRequired().classifyImages(images, top);
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < images.size(); i++) {
            out.println(images.get(i) + ":");
            Predictions.print(out, results.get(i), "  ");
        }
        return 0;
    }
}
