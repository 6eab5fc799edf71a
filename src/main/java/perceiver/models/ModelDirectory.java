package perceiver.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import perceiver.checkpoint.CheckpointException;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;

/**
 * A model directory in Hugging Face layout: {@code config.json} plus the weights ({@code model.safetensors}, or
 * {@code weights.safetensors} as in the golden cases).
 */
public final class ModelDirectory {
    static final List<String> WEIGHT_FILES = List.of("model.safetensors", "weights.safetensors");

    private ModelDirectory() {}

    /** Loads and checks the model in {@code dir}. */
    public static PerceiverTask load(Path dir) {
        if (!Files.isDirectory(dir)) throw new CheckpointException(dir + ": no such model directory");
        PerceiverConfig config = PerceiverConfig.load(requireFile(dir, "config.json"));
        try (TensorStore weights = Checkpoints.open(weights(dir))) {
            return Models.build(config, Parameters.fromStore(weights));
        }
    }

    /** The weights file of {@code dir}. */
    public static Path weights(Path dir) {
        for (String name : WEIGHT_FILES) {
            if (Files.isRegularFile(dir.resolve(name))) return dir.resolve(name);
        }
        throw new CheckpointException(dir + ": no weights file; expected one of " + WEIGHT_FILES);
    }

    private static Path requireFile(Path dir, String name) {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) throw new CheckpointException(dir + ": missing " + name);
        return f;
    }
}
