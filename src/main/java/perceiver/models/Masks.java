package perceiver.models;

import java.util.Arrays;

import perceiver.core.PerceiverEncoder;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/** Attention-mask inputs checked against the array they mask. */
final class Masks {
    private Masks() {}

    /** The additive mask of {@code mask [B, M]} (1 keep, 0 pad) for {@code x [B, M, C]}; null means keep all. */
    static float[][] additive(LongTensor mask, Tensor x) {
        if (mask == null) return null;
        if (mask.rank() != 2 || mask.dim(0) != x.dim(0) || mask.dim(1) != x.dim(1)) {
            throw new IllegalArgumentException("attention_mask has shape " + Arrays.toString(mask.shape())
                    + ", expected [" + x.dim(0) + ", " + x.dim(1) + "]");
        }
        return PerceiverEncoder.additiveMask(mask.data(), x.dim(0), x.dim(1));
    }
}
