package perceiver.nn;

import perceiver.tensor.LayerNormKernel;
import perceiver.tensor.Tensor;

/** {@code nn.LayerNorm(C)} over the last axis with affine weight and bias; HF's Perceiver uses eps = 1e-5. */
public record LayerNorm(Tensor weight, Tensor bias, float eps) {
    public static final float TORCH_DEFAULT_EPS = 1e-5f;

    public Tensor forward(Tensor x) {
        int n = weight.size();
        if (x.dim(-1) != n) throw new IllegalArgumentException("layer norm over " + n + " channels, got " + x);
        Tensor y = Tensor.zeros(x.shape());
        LayerNormKernel.layerNorm(x.data(), x.offset(), y.data(), 0, x.rows(), n,
                weight.toArray(), bias.toArray(), eps);
        return y;
    }
}
