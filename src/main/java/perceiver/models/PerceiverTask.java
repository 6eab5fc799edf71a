package perceiver.models;

import java.util.Map;

import perceiver.core.Trace;
import perceiver.tensor.Backend;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.Tensor;

/**
 * A complete model family: preprocessor → {@link perceiver.core.Perceiver} encode/process → decoder →
 * postprocessor. Instances are immutable after loading and safe to call from many threads at once; every call
 * allocates its own activations. Pre- and postprocessing run on the host; the trunk and the decoder's
 * cross-attention run on the given {@link Backend}.
 */
public interface PerceiverTask {
    PerceiverConfig config();

    /**
     * Runs a forward pass; returns the final outputs ({@code logits} or {@code logits.<modality>}). A device backend
     * releases the arrays of the pass at its end (a {@link Backend#scope()} around {@link #pass}).
     */
    default <A> Map<String, Tensor> forward(Backend<A> backend, Inputs inputs, Trace trace) {
        try (Backend.Scope scope = backend.scope()) {
            return pass(backend, inputs, trace);
        }
    }

    /** The forward pass of the family; call {@link #forward(Backend, Inputs, Trace)}. */
    <A> Map<String, Tensor> pass(Backend<A> backend, Inputs inputs, Trace trace);

    /** {@link #forward(Backend, Inputs, Trace)} on the host. */
    default Map<String, Tensor> forward(Inputs inputs, Trace trace) {
        return forward(CpuBackend.INSTANCE, inputs, trace);
    }
}
