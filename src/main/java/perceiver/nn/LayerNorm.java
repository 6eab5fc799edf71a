package perceiver.nn;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/** {@code nn.LayerNorm(C)} over the last axis with affine weight and bias; HF's Perceiver uses eps = 1e-5. */
public record LayerNorm(Tensor weight, Tensor bias, float eps) {
    public static final float TORCH_DEFAULT_EPS = 1e-5f;

    public <A> A forward(Backend<A> be, A x) {
        int[] shape = be.shape(x);
        if (shape[shape.length - 1] != weight.size()) {
            throw new IllegalArgumentException("layer norm over " + weight.size() + " channels, got "
                    + java.util.Arrays.toString(shape));
        }
        return be.layerNorm(x, weight, bias, eps);
    }
}
