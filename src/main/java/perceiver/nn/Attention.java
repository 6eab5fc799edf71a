package perceiver.nn;

import java.util.function.UnaryOperator;

import perceiver.tensor.Backend;
import perceiver.tensor.KeyValues;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Tensor;

/**
 * Multi-head QKV attention, the paper's Eq. 1-3 (Perceiver IO, Appendix A):
 * <pre>
 *   Q = f_Q(X_Q),  K = f_K(X_KV),  V = f_V(X_KV)           (1)
 *   X_QK = softmax(Q Kᵀ / √F)                              (2)
 *   Attn(X_Q, X_KV) = f_O(X_QK V)                           (3)
 * </pre>
 * with {@code f_*} linear layers, channels split contiguously into heads, {@code F} the per-head query/key width,
 * and an optional additive mask on the keys. {@code query}/{@code key} map to {@code qk} channels, {@code value} to
 * {@code v} channels, {@code output} maps {@code v} to the output width.
 *
 * @param moved with one head, W_K, W_Q and b_Q prepared for use from the other side of the products (see
 *              {@link #forwardStreaming} and {@link #memory}), else null; made by the five-argument constructor
 */
public record Attention(Linear query, Linear key, Linear value, Linear output, int heads, MovedWeights moved) {

    public Attention(Linear query, Linear key, Linear value, Linear output, int heads) {
        this(query, key, value, output, heads, heads == 1 ? MovedWeights.of(query, key) : null);
    }

    public Attention {
        if (query.out() != key.out()) {
            throw new IllegalArgumentException("query and key widths differ: " + query.out() + " vs " + key.out());
        }
        if (query.out() % heads != 0 || value.out() % heads != 0) {
            throw new IllegalArgumentException("qk channels " + query.out() + " and v channels " + value.out()
                    + " must be divisible by the number of heads " + heads);
        }
    }

    /**
     * One head's weights for the moved forms: {@code keyOnQueries} applies W_K to queries, {@code queryOnKeys}
     * applies W_Q to keys (both scaled, see {@link #transposed}), {@code queryBiasOnKeys} gives {@code K b_Q / √F}
     * per key (null without a query bias).
     */
    public record MovedWeights(Linear keyOnQueries, Linear queryOnKeys, Linear queryBiasOnKeys) {
        static MovedWeights of(Linear query, Linear key) {
            Linear bias = null;
            if (query.bias() != null) {
                float[] b = query.bias().toArray();
                float scale = (float) (1 / Math.sqrt(b.length));
                for (int i = 0; i < b.length; i++) b[i] *= scale;
                bias = Linear.of(Tensor.of(b, 1, b.length), null);
            }
            return new MovedWeights(transposed(key), transposed(query), bias);
        }
    }

    /**
     * The key/value side of the attention formed once for many query arrays ({@link #memory}): Eq. 1's keys and
     * values, or, when {@code scoreBias} ({@code [B][M]}, added to the scaled scores like a mask) is not null, keys
     * and values that already carry W_Q and W_O.
     */
    public record Memory<A>(A keys, A values, float[][] scoreBias) {}

    /**
     * @param xq    {@code [B, N, Cq]} (already layer-normalised)
     * @param xkv   {@code [B, M, Ckv]} (already layer-normalised)
     * @param mask  additive key mask {@code [B][M]} or null
     * @param probs destination {@code [B, heads, N, M]} for the attention probabilities, or null
     * @return {@code [B, N, output.out()]}
     */
    public <A> A forward(Backend<A> be, A xq, A xkv, float[][] mask, Tensor probs) {
        return forward(be, xq, usualMemory(keysValues(be, xkv)), mask, probs);
    }

    /** Eq. 1's keys and values of a (layer-normalised) key/value array {@code [B, M, Ckv]}. */
    public <A> KeyValues<A> keysValues(Backend<A> be, A xkv) {
        return new KeyValues<>(key.forward(be, xkv), value.forward(be, xkv));
    }

    /**
     * The key/value side of a (layer-normalised) key/value array {@code [B, M, Ckv]} that {@code queries} query rows
     * in all will attend to. With one head and enough queries to pay for it (a decoder), {@code W_Q} and {@code W_O}
     * move onto this side, so that each query row skips its two projections. With {@code K}, {@code V} Eq. 1's keys
     * and values and {@code x} a normalised query row:
     * <pre>
     *   f_Q(x) Kᵀ   = x (K W_Q)ᵀ + (K b_Q)ᵀ     a bias per key, added to the scores like a mask
     *   f_O(P V)    = P f_O(V)                  each row of P sums to 1
     * </pre>
     * so Eq. 2-3 become {@code softmax(x (K W_Q)ᵀ / √F + K b_Q / √F) f_O(V)}, equal up to float rounding.
     */
    public <A> Memory<A> memory(Backend<A> be, A xkv, long queries) {
        KeyValues<A> kv = keysValues(be, xkv);
        if (moved == null || !movesOntoKeysCheaper(be.shape(xkv)[1], queries)) return usualMemory(kv);
        int batch = be.shape(xkv)[0], m = be.shape(xkv)[1];
        float[][] bias = new float[batch][m];
        if (moved.queryBiasOnKeys() != null) {
            Tensor kb = be.download(moved.queryBiasOnKeys().forward(be, kv.keys())); // [B, M, 1]
            for (int b = 0; b < batch; b++) bias[b] = kb.get(b).toArray();
        }
        return new Memory<>(moved.queryOnKeys().forward(be, kv.keys()), output.forward(be, kv.values()), bias);
    }

    private static <A> Memory<A> usualMemory(KeyValues<A> kv) {
        return new Memory<>(kv.keys(), kv.values(), null);
    }

    /** Eq. 1-3 with the key/value side already formed ({@link #memory}), e.g. once for many query arrays. */
    public <A> A forward(Backend<A> be, A xq, Memory<A> mem, float[][] mask, Tensor probs) {
        if (mem.scoreBias() != null) { // W_Q and W_O already applied to the keys and values
            return attend(be, xq, mem.keys(), mem.values(), 1, withBias(mask, mem.scoreBias()), probs);
        }
        A q = query.forward(be, xq);
        return output.forward(be, attend(be, q, mem.keys(), mem.values(), heads, mask, probs));
    }

    private static float[][] withBias(float[][] mask, float[][] bias) {
        if (mask == null) return bias;
        float[][] sum = new float[bias.length][];
        for (int b = 0; b < bias.length; b++) {
            sum[b] = bias[b].clone();
            for (int j = 0; j < sum[b].length; j++) sum[b][j] += mask[b][j];
        }
        return sum;
    }

    /**
     * Multiply-adds with {@code W_Q}, {@code W_O} moved onto the keys and values against the usual ones, for M keys
     * and {@code queries} query rows (one head): per query row {@code M·(Cq + Cout)} against
     * {@code Cq·F + M·(F + Fv) + Fv·Cout}, once {@code M·(F·Cq + Fv·Cout)} more. The move must save a quarter: the
     * attention kernel runs below a plain product on the wider value rows (online-softmax rescaling per key block),
     * and a 13 % saving (the multimodal decoder) measured slower, a 46 % one (optical flow's) 13-21 % faster.
     */
    boolean movesOntoKeysCheaper(long m, long queries) {
        long cq = query.in(), f = query.out(), fv = value.out(), cout = output.out();
        long usual = queries * (cq * f + m * (f + fv) + fv * cout);
        long moved = queries * m * (cq + cout) + m * (f * cq + fv * cout);
        return 4 * moved < 3 * usual;
    }

    /**
     * Eq. 1-3 over a long key/value array {@code inputs [B, M, Ckv]} whose keys and values are formed a block of
     * rows at a time, {@code f_K(normalise(block))} and {@code f_V(normalise(block))}, and streamed into the
     * attention ({@link Backend#attendBlocks}): the encoder's memory stays that of its inputs.
     *
     * <p>With one head, where it is cheaper (an encoder: M much larger than N), the key and value projections move
     * to the other side of the products, and the M input rows are never projected. With {@code X} the normalised
     * inputs, {@code f_K(X) = X W_Kᵀ + b_K} and {@code f_V(X) = X W_Vᵀ + b_V}:
     * <pre>
     *   Q f_K(X)ᵀ = (Q W_K) Xᵀ + (Q b_K) 1ᵀ     the last term is constant along each softmax row: it drops out
     *   P f_V(X)  = (P X) W_Vᵀ + b_V            each row of P sums to 1
     * </pre>
     * so Eq. 2-3 become {@code f_O(f_V(softmax((Q W_K) Xᵀ / √F) X))}, equal up to float rounding.
     */
    public <A> A forwardStreaming(Backend<A> be, A xq, A inputs, UnaryOperator<A> normalise, float[][] mask) {
        A q = query.forward(be, xq);
        if (moved != null && projectsQueriesCheaper(be.shape(q)[1], be.shape(inputs)[1])) {
            A ctx = be.attendBlocks(moved.keyOnQueries().forward(be, q), inputs, block -> {
                A x = normalise.apply(block);
                return new KeyValues<>(x, x);
            }, 1, mask);
            return output.forward(be, value.forward(be, ctx));
        }
        return output.forward(be, be.attendBlocks(q, inputs, block -> keysValues(be, normalise.apply(block)),
                heads, mask));
    }

    /** Multiply-adds of the moved projections against the usual ones, for N queries and M inputs (one head). */
    boolean projectsQueriesCheaper(long n, long m) {
        long c = key.in(), f = key.out(), fv = value.out();
        long usual = m * c * (f + fv) + n * m * (f + fv);
        long moved = n * f * c + 2 * n * m * c + n * c * fv;
        return moved < usual;
    }

    /**
     * A linear layer's weight applied from the other side, without its bias: {@code W [out, in]} as the layer
     * {@code [.., out] → [.., in]}, {@code y = x W}, scaled by {@code √(in / out)}: the moved forms above feed the
     * attention rows of width {@code in}, which it divides by {@code √in}, where Eq. 2 divides by {@code √F = √out}.
     */
    private static Linear transposed(Linear layer) {
        int in = layer.in(), out = layer.out();
        float[] wT = layer.weightT().toRowMajor(); // Wᵀ [in, out]
        if (in != out) {
            float scale = (float) Math.sqrt((double) in / out);
            for (int i = 0; i < wT.length; i++) wT[i] *= scale;
        }
        return new Linear(PackedMatrix.pack(out, in, wT, 0, out, true), null);
    }

    /**
     * Eq. 2-3 without projections: {@code softmax(q_h k_hᵀ / √F + mask) v_h} per batch element and head.
     * {@code q [B, N, H·F]}, {@code k [B, M, H·F]}, {@code v [B, M, H·Fv]} → {@code [B, N, H·Fv]}.
     */
    public static <A> A attend(Backend<A> be, A q, A k, A v, int heads, float[][] mask, Tensor probs) {
        return be.attend(q, k, v, heads, mask, probs);
    }
}
