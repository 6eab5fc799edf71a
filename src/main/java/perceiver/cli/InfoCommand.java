package perceiver.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorInfo;
import perceiver.checkpoint.TensorStore;
import perceiver.models.ModelDirectory;
import perceiver.models.PerceiverConfig;

@Command(name = "info", description = "Architecture summary and parameter counts of a model directory.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PerceiverConfig c = ModelDirectory.load(dir).config();
        out.printf("model class   %s%n", c.modelClass());
        out.printf("latents       %d x %d (num_latents x d_latents), input channels d_model %d%n",
                c.numLatents(), c.dLatents(), c.dModel());
        out.printf("process       %d block(s) x %d self-attention layers (shared weights), %d heads; cross-attention %d heads%n",
                c.numBlocks(), c.numSelfAttendsPerBlock(), c.numSelfAttentionHeads(), c.numCrossAttentionHeads());
        out.printf("labels        %d%n", c.numLabels());
        try (TensorStore store = Checkpoints.open(ModelDirectory.weights(dir))) {
            Map<String, Long> byComponent = new TreeMap<>();
            long total = 0;
            for (String name : store.names()) {
                TensorInfo info = store.info(name);
                byComponent.merge(component(name), info.elements(), Long::sum);
                total += info.elements();
            }
            out.printf("weights       %s (%s), %d tensors%n", store.source(), store.format(), store.names().size());
            out.printf("parameters    %,d%n", total);
            byComponent.forEach((k, v) -> out.printf("  %-34s %,15d%n", k, v));
        }
        return 0;
    }

    /** {@code perceiver.encoder.self_attends.3.mlp...} → {@code encoder.self_attends}; others: first name part. */
    static String component(String key) {
        String k = key.startsWith("perceiver.") ? key.substring("perceiver.".length()) : key;
        String[] parts = k.split("\\.");
        if (parts.length > 2 && parts[0].equals("encoder")) return parts[0] + "." + parts[1];
        return parts[0];
    }
}
