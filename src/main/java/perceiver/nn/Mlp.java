package perceiver.nn;

import perceiver.tensor.Gelu;
import perceiver.tensor.Tensor;

/** The attention module's MLP: {@code dense2(GELU(dense1(x)))}, {@code [.., C] → [.., w·C] → [.., C]}, exact GELU. */
public record Mlp(Linear dense1, Linear dense2) {
    public Tensor forward(Tensor x) {
        Tensor h = dense1.forward(x);
        Gelu.gelu(h.data(), h.offset(), h.size());
        return dense2.forward(h);
    }
}
