package perceiver.nn;

import perceiver.tensor.Backend;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.Matmul;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Tensor;

/**
 * {@code y = x · Wᵀ + b} over the last axis: {@code x [..., in] → y [..., out]}. The weight {@code W [out, in]}
 * is packed once, at construction, into the layout of the matmul kernel.
 */
public record Linear(PackedMatrix weightT, Tensor bias) {

    /** @param weight {@code [out, in]} as stored by PyTorch; @param bias {@code [out]} or null */
    public static Linear of(Tensor weight, Tensor bias) {
        if (weight.rank() != 2) throw new IllegalArgumentException("linear weight must be [out, in], got " + weight);
        if (bias != null && !bias.hasShape(weight.dim(0))) {
            throw new IllegalArgumentException("linear bias " + bias + " does not match weight " + weight);
        }
        return new Linear(PackedMatrix.packTransposed(weight), bias);
    }

    public int in() { return weightT.rows(); }

    public int out() { return weightT.cols(); }

    public <A> A forward(Backend<A> be, A x) {
        int[] shape = be.shape(x);
        if (shape[shape.length - 1] != in()) {
            throw new IllegalArgumentException("linear layer expects " + in() + " input channels, got "
                    + java.util.Arrays.toString(shape));
        }
        return be.linear(x, weightT, bias);
    }

    /**
     * {@code next(this(x))} as one layer {@code [in → next.out]}: weight {@code W_next W}, bias {@code next(b)}.
     * Exact up to rounding; cheaper per row when {@code next} is narrower than this layer's input.
     */
    public Linear then(Linear next) {
        if (next.in() != out()) {
            throw new IllegalArgumentException("a " + next.in() + "-channel layer after a " + out() + "-channel one");
        }
        int in = in(), mid = out(), out = next.out();
        float[] composedT = new float[in * out]; // (W_next W)ᵀ = Wᵀ W_nextᵀ [in, out]
        Matmul.gemmPacked(in, weightT.toRowMajor(), 0, mid, next.weightT(), composedT, 0, out, false);
        Tensor b = bias == null ? next.bias() : next.forward(bias.reshape(1, mid)).reshape(out);
        return new Linear(PackedMatrix.pack(in, out, composedT, 0, out, false), b);
    }

    /** On the host. */
    public Tensor forward(Tensor x) { return forward(CpuBackend.INSTANCE, x); }
}
