package perceiver.tensor;

/** The host backend: arrays are {@link Tensor}s and every operation runs the Vector API kernels of this package. */
public final class CpuBackend implements Backend<Tensor> {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override public String name() { return "cpu"; }

    @Override public Tensor upload(Tensor host) { return host; }

    @Override public Tensor download(Tensor array) { return array; }

    @Override public int[] shape(Tensor array) { return array.shape(); }

    @Override
    public Tensor linear(Tensor x, PackedMatrix weightT, Tensor bias) {
        int[] shape = x.shape();
        shape[shape.length - 1] = weightT.cols();
        Tensor y = Tensor.zeros(shape);
        int rows = x.rows(), out = weightT.cols();
        Matmul.gemmPacked(rows, x.data(), x.offset(), weightT.rows(), weightT, y.data(), 0, out, false);
        if (bias != null) Elementwise.addRowVector(y.data(), 0, rows, out, bias.data(), bias.offset());
        return y;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        Tensor y = Tensor.zeros(x.shape());
        LayerNormKernel.layerNorm(x.data(), x.offset(), y.data(), 0, x.rows(), x.dim(-1), gamma.toArray(), beta.toArray(), eps);
        return y;
    }

    @Override
    public Tensor gelu(Tensor x) {
        Gelu.gelu(x.data(), x.offset(), x.size());
        return x;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        Elementwise.addInPlace(a.data(), a.offset(), b.data(), b.offset(), a.size());
        return a;
    }

    @Override
    public Tensor attend(Tensor q, Tensor k, Tensor v, int heads, float[][] mask, Tensor probs) {
        Tensor ctx = Tensor.zeros(q.dim(0), q.dim(1), v.dim(2));
        for (int b = 0; b < q.dim(0); b++) {
            AttentionKernel.attend(q.get(b), k.get(b), v.get(b), heads, mask == null ? null : mask[b], ctx.get(b),
                    probs == null ? null : probs.get(b));
        }
        return ctx;
    }
}
