package perceiver.nn;

import perceiver.tensor.Backend;

/** The attention module's MLP: {@code dense2(GELU(dense1(x)))}, {@code [.., C] → [.., w·C] → [.., C]}, exact GELU. */
public record Mlp(Linear dense1, Linear dense2) {
    public <A> A forward(Backend<A> be, A x) {
        return dense2.forward(be, be.gelu(dense1.forward(be, x)));
    }
}
