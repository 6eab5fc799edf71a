package perceiver.models;

import perceiver.checkpoint.ModelFiles;
import perceiver.checkpoint.ModelLocator;
import perceiver.checkpoint.TensorStore;

/**
 * Loads a model in Hugging Face layout: {@code config.json} plus weights (safetensors, sharded safetensors or a
 * PyTorch {@code .bin}), from a directory, a weights file, or a hub id in the local Hugging Face cache
 * ({@link ModelLocator}).
 */
public final class ModelDirectory {
    private ModelDirectory() {}

    /** Loads and checks the model {@code ref} names. */
    public static PerceiverTask load(String ref) {
        ModelFiles files = ModelLocator.resolve(ref);
        PerceiverConfig config = PerceiverConfig.load(files.config());
        try (TensorStore weights = files.openWeights()) {
            return Models.build(config, Parameters.fromStore(weights));
        }
    }
}
