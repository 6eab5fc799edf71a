package perceiver.models;

import java.util.Map;

import perceiver.core.Trace;
import perceiver.tensor.Tensor;

/**
 * A complete model family: preprocessor → {@link perceiver.core.Perceiver} encode/process → decoder →
 * postprocessor. Instances are immutable after loading and safe to call from many threads at once; every call
 * allocates its own activations.
 */
public interface PerceiverTask {
    PerceiverConfig config();

    /** Runs a forward pass; returns the final outputs ({@code logits} or {@code logits.<modality>}). */
    Map<String, Tensor> forward(Inputs inputs, Trace trace);
}
