package perceiver.nn;

import perceiver.tensor.Backend;

/** The attention module's MLP: {@code dense2(GELU(dense1(x)))}, {@code [.., C] → [.., w·C] → [.., C]}, exact GELU. */
public record Mlp(Linear dense1, Linear dense2) {
    public <A> A forward(Backend<A> be, A x) {
        return dense2.forward(be, hidden(be, x));
    }

    /** The hidden layer {@code GELU(dense1(x))}, {@code [.., w·C]}. */
    public <A> A hidden(Backend<A> be, A x) {
        return be.gelu(dense1.forward(be, x));
    }
}
