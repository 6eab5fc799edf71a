package perceiver.tensor;

import java.util.function.Function;

/** The host backend: arrays are {@link Tensor}s and every operation runs the Vector API kernels of this package. */
public final class CpuBackend implements Backend<Tensor> {
    public static final CpuBackend INSTANCE = new CpuBackend();
    /**
     * Input rows projected at a time in {@link #attendBlocks} (a multiple of the attention's key block): 2,048 rows
     * of 512 channels are 4 MB, under G1's humongous-object size with the launcher's 32 MB regions, where 8,192 rows
     * (16 MB a block, three such arrays per block with the packed keys and values) grew the heap of the learned-
     * position ImageNet model to 1.4-1.9 GB peak RSS (1.1-1.3 GB now) at the same speed.
     */
    static final int STREAM_ROWS = 8 * AttentionKernel.KEY_BLOCK;

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
        Matmul.gemmPacked(rows, x.data(), x.offset(), weightT.rows(), weightT, y.data(), 0, out, false,
                bias == null ? null : bias.data(), bias == null ? 0 : bias.offset());
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

    /** Keys and values are formed {@link #STREAM_ROWS} input rows at a time and streamed into the attention. */
    @Override
    public Tensor attendBlocks(Tensor q, Tensor x, Function<Tensor, KeyValues<Tensor>> project, int heads,
                               float[][] mask) {
        int batch = x.dim(0), m = x.dim(1), c = x.dim(2);
        if (batch == 0) return Backend.super.attendBlocks(q, x, project, heads, mask);
        Tensor ctx = null;
        for (int b = 0; b < batch; b++) {
            AttentionKernel.Stream stream = null;
            for (int from = 0; from == 0 || from < m; from += STREAM_ROWS) {
                int to = Math.min(m, from + STREAM_ROWS);
                KeyValues<Tensor> kv = project.apply(x.get(b).rows(from, to).reshape(1, to - from, c));
                if (ctx == null) ctx = Tensor.zeros(batch, q.dim(1), kv.values().dim(2));
                if (stream == null) stream = new AttentionKernel.Stream(q.get(b), heads, ctx.get(b));
                stream.add(kv.keys().get(0), kv.values().get(0), mask == null ? null : mask[b]);
            }
            stream.finish();
        }
        return ctx;
    }
}
