package perceiver.checkpoint;

import java.nio.file.Path;

/**
 * The files of one model found by {@link ModelLocator}: its folder, {@code config.json} and the weights file
 * ({@code model.safetensors}, a shard index, or {@code pytorch_model.bin}).
 */
public record ModelFiles(Path directory, Path config, Path weights) {
    /** Opens the weights with {@link Checkpoints#open}. */
    public TensorStore openWeights() { return Checkpoints.open(weights); }
}
