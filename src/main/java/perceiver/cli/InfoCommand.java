package perceiver.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.checkpoint.CheckpointSummary;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.ModelFiles;
import perceiver.checkpoint.ModelLocator;
import perceiver.checkpoint.TensorStore;
import perceiver.models.ImageClassifier;
import perceiver.models.ModelDirectory;
import perceiver.models.MultimodalAutoencoder;
import perceiver.models.PerceiverConfig;
import perceiver.models.PerceiverTask;
import perceiver.models.TextClassifier;

@Command(name = "info", description = "Architecture summary, checkpoint format and parameter counts of a model.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "Model directory, weights file or hub id in the local HF cache.")
    String model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelFiles files = ModelLocator.resolve(model);
        PerceiverTask task = ModelDirectory.load(model);
        PerceiverConfig c = task.config();
        out.printf("model class   %s%n", c.modelClass());
        out.printf("latents       %d x %d (num_latents x d_latents), input channels d_model %d%n",
                c.numLatents(), c.dLatents(), c.dModel());
        out.printf("process       %d block(s) x %d self-attention layers (shared weights), %d heads; cross-attention %d heads%n",
                c.numBlocks(), c.numSelfAttendsPerBlock(), c.numSelfAttentionHeads(), c.numCrossAttentionHeads());
        if (task instanceof TextClassifier || task instanceof ImageClassifier || task instanceof MultimodalAutoencoder) {
            out.printf("labels        %d%n", c.numLabels()); // the others have no label output (num_labels is HF's default 2)
        }
        try (TensorStore store = files.openWeights()) {
            CheckpointSummary s = Checkpoints.describe(store);
            out.printf("weights       %s%n", s.source());
            out.printf("format        %s, %d tensors, dtypes %s%n", s.format(), s.tensors(), s.dtypeCounts());
            out.printf("elements      %,d (%,d bytes)%n", s.elements(), s.bytes());
            Map<String, Long> byComponent = new TreeMap<>();
            for (String name : store.names()) byComponent.merge(component(name), store.info(name).elements(), Long::sum);
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
