package perceiver.io.position;

import java.util.Arrays;
import perceiver.tensor.Parallel;
import perceiver.tensor.Tensor;

/**
 * Fourier-feature position encoding of Perceiver IO (Jaegle et al., ICLR 2022, appendix; HF v4.27.1
 * {@code build_linear_positions}, {@code generate_fourier_features}, {@code PerceiverFourierPositionEncoding} and
 * the subsampled query positions of {@code PerceiverBasicDecoder.decoder_query}), for any number of index dimensions.
 *
 * <p>Channel order (golden/README.md point 16): {@code [pos_1..pos_d (if concatPos), sin(pi f_{1,1} pos_1) ..
 * sin(pi f_{1,K} pos_1), .., sin(pi f_{d,K} pos_d), cos(same order) (unless sineOnly)]} with
 * {@code f_{i,k} = linspace(1, maxResolution[i] / 2, K)[k]}; no normalisation. The frequencies depend only on
 * {@code maxResolution} (a model constant), never on the actual index dimensions.
 *
 * <p>Numerics: torch evaluates this in float32, and the rounding of the sine argument {@code pi * f * pos} matters
 * (for max_resolution 224 it is ~350 rad, so one float32 ulp of the argument is ~3e-5). This class therefore forms
 * the argument exactly as torch does (float32 positions and bands from torch's linspace, float32 product
 * {@code pos * f}, float32 product with {@code (float) pi}) and evaluates sin/cos of that float argument in double,
 * rounded once to float. Computing everything in double instead would differ from HF by up to 2.5e-5.
 */
public final class FourierFeatures {
    private static final float PI_F = (float) Math.PI;

    private final int numBands;
    private final int[] maxResolution;
    private final boolean concatPos;
    private final boolean sineOnly;
    private final float[][] bands;

    /**
     * @param numBands      K, frequency bands per index dimension (>= 1)
     * @param maxResolution the model's fixed resolution per index dimension, e.g. (224, 224) for image-fourier,
     *                      (56, 56) for image-conv, train_size for flow, (T, S, S) / (n_samples) for multimodal
     * @param concatPos     prepend the raw positions (HF concat_pos)
     * @param sineOnly      omit the cosine block (HF sine_only)
     */
    public FourierFeatures(int numBands, int[] maxResolution, boolean concatPos, boolean sineOnly) {
        if (numBands < 1) throw new IllegalArgumentException("numBands must be >= 1, got " + numBands);
        if (maxResolution.length == 0) throw new IllegalArgumentException("maxResolution must have >= 1 dimension");
        this.numBands = numBands;
        this.maxResolution = maxResolution.clone();
        this.concatPos = concatPos;
        this.sineOnly = sineOnly;
        this.bands = new float[maxResolution.length][];
        for (int i = 0; i < maxResolution.length; i++) {
            bands[i] = linspace(1f, (float) (maxResolution[i] / 2.0), numBands);
        }
    }

    public int numBands() { return numBands; }
    public int[] maxResolution() { return maxResolution.clone(); }
    public boolean concatPos() { return concatPos; }
    public boolean sineOnly() { return sineOnly; }

    /** Number of index dimensions d (= maxResolution.length). */
    public int numDims() { return maxResolution.length; }

    /** Channels of one encoded position: {@code d*K*(sineOnly ? 1 : 2) + (concatPos ? d : 0)}. */
    public int numChannels() { return numChannels(numDims(), numBands, concatPos, sineOnly); }

    /** HF {@code PerceiverFourierPositionEncoding.output_size}: {@code d*K*(sineOnly ? 1 : 2) + (concatPos ? d : 0)}. */
    public static int numChannels(int numDims, int numBands, boolean concatPos, boolean sineOnly) {
        return numDims * numBands * (sineOnly ? 1 : 2) + (concatPos ? numDims : 0);
    }

    /**
     * {@code torch.linspace(start, end, steps)} in float32, reproducing torch's CPU kernel (1.13, AVX2 build, as used
     * for the golden data) to the bit: {@code step = (end - start) / (steps - 1)} in float; element i is
     * {@code start + step*i} for i < steps/2 and {@code end - step*(steps-1-i)} otherwise. Blocks of 16 elements
     * (two 8-lane vectors) from the start are computed by the vectorized path: per 8-lane vector at index i0 a base
     * (the formula above for i0, with a single rounding, since the kernel is compiled with FMA contraction) plus
     * {@code (float)(j*step)} for lane j (two roundings); the remaining {@code steps % 16} elements use the scalar
     * formula with a single rounding. Differences between these variants are 1 float ulp, which after the
     * multiplication by pi*pos in the Fourier features is up to ~8e-6 for 64 bands. steps = 1 gives {start}.
     */
    public static float[] linspace(float start, float end, int steps) {
        if (steps < 1) throw new IllegalArgumentException("linspace steps must be >= 1, got " + steps);
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        int i = 0;
        for (; i <= steps - 2 * TORCH_VEC; i += 2 * TORCH_VEC) { // torch: pairs of vectors while i <= n - 2V
            for (int v = i; v < i + 2 * TORCH_VEC; v += TORCH_VEC) {
                float base = linspaceScalar(start, end, step, steps, halfway, v);
                out[v] = base;
                for (int j = 1; j < TORCH_VEC; j++) out[v + j] = base + (float) j * step;
            }
        }
        for (; i < steps; i++) out[i] = linspaceScalar(start, end, step, steps, halfway, i);
        return out;
    }

    /** Float lanes of torch's CPU vectors (AVX2: 256 bits). */
    private static final int TORCH_VEC = 8;

    private static float linspaceScalar(float start, float end, float step, int steps, int halfway, int i) {
        return i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - 1 - i), end);
    }

    /**
     * HF {@code build_linear_positions}: the grid of {@code linspace(-1, 1, n_i)} per axis, meshgrid 'ij', flattened
     * row-major (last axis fastest).
     *
     * @return positions {@code [prod(indexDims), d]}
     */
    public static Tensor linearPositions(int... indexDims) {
        checkDims(indexDims);
        int d = indexDims.length;
        float[][] axes = new float[d][];
        for (int i = 0; i < d; i++) axes[i] = linspace(-1f, 1f, indexDims[i]);
        int n = Math.toIntExact(Tensor.count(indexDims));
        float[] out = new float[n * d];
        int[] idx = new int[d];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < d; i++) out[p * d + i] = axes[i][idx[i]];
            for (int i = d - 1; i >= 0 && ++idx[i] == indexDims[i]; i--) idx[i] = 0;
        }
        return Tensor.of(out, n, d);
    }

    /**
     * Positions of a subset of a flattened grid as HF's {@code PerceiverBasicDecoder.decoder_query} builds them for
     * {@code subsampled_points}: {@code np.unravel_index} of each flat index, then {@code -1 + 2*i/N} per axis
     * (computed like torch: float32 {@code (2i)/N}, then {@code + (-1)}). Note this is NOT linspace: the last index
     * maps to {@code 1 - 2/N}, not 1.
     *
     * @param flatIndices row-major flat indices into {@code indexDims}, each in {@code [0, prod(indexDims))}
     * @return positions {@code [flatIndices.length, d]}
     */
    public static Tensor subsampledPositions(long[] flatIndices, int... indexDims) {
        checkDims(indexDims);
        int d = indexDims.length;
        long total = Tensor.count(indexDims);
        float[] out = new float[flatIndices.length * d];
        for (int p = 0; p < flatIndices.length; p++) {
            long flat = flatIndices[p];
            if (flat < 0 || flat >= total) {
                throw new IllegalArgumentException("subsampled index " + flat + " outside [0, " + total
                        + ") for index dims " + Arrays.toString(indexDims));
            }
            for (int i = d - 1; i >= 0; i--) {
                long coord = flat % indexDims[i];
                flat /= indexDims[i];
                out[p * d + i] = -1f + (float) (2 * coord) / (float) indexDims[i];
            }
        }
        return Tensor.of(out, flatIndices.length, d);
    }

    /** The frequency bands {@code [d, K]}: row i = {@code linspace(1, maxResolution[i] / 2, K)} in float32. */
    public Tensor freqBands() {
        int d = numDims();
        float[] out = new float[d * numBands];
        for (int i = 0; i < d; i++) System.arraycopy(bands[i], 0, out, i * numBands, numBands);
        return Tensor.of(out, d, numBands);
    }

    /**
     * The encoding of the full grid ({@code PerceiverFourierPositionEncoding.forward} without {@code pos}).
     *
     * @param indexDims grid size per axis, as many axes as {@code maxResolution}
     * @return {@code [prod(indexDims), numChannels()]} (no batch axis; see {@link #broadcast})
     */
    public Tensor encode(int... indexDims) {
        checkRank(indexDims);
        checkDims(indexDims);
        int n = Math.toIntExact(Tensor.count(indexDims)), c = numChannels();
        float[] out = new float[n * c];
        fill(out, 0, c, indexDims);
        return Tensor.of(out, n, c);
    }

    /**
     * Features with the encoding of the full grid appended to each row, {@code concatLast(features, encode(..))} per
     * batch element without forming the encoding on its own (for a 368×496 flow frame it is 188 MB).
     *
     * @param features  {@code [B, N, C0]} with {@code N = prod(indexDims)}
     * @param indexDims grid size per axis
     * @return {@code [B, N, C0 + numChannels()]}
     */
    public Tensor appendTo(Tensor features, int... indexDims) {
        checkRank(indexDims);
        checkDims(indexDims);
        long n = Tensor.count(indexDims);
        if (features.rank() != 3 || features.dim(1) != n) {
            throw new IllegalArgumentException("features must be [batch, " + n + ", channels] for the grid "
                    + Arrays.toString(indexDims) + ", got " + features);
        }
        int batch = features.dim(0), rows = (int) n, c0 = features.dim(2), width = c0 + numChannels();
        Tensor out = Tensor.zeros(batch, rows, width);
        float[] src = features.data(), dst = out.data();
        for (int b = 0; b < batch; b++) {
            int base = b * rows;
            Parallel.forRange(rows, 4096, (from, to) -> {
                for (int r = from; r < to; r++) {
                    System.arraycopy(src, features.offset() + (base + r) * c0, dst, (base + r) * width, c0);
                }
            });
            fill(dst, base * width + c0, width, indexDims);
        }
        return out;
    }

    /** Writes the encoding of grid row r to {@code out[offset + r·stride ..]}, {@code numChannels()} floats. */
    private void fill(float[] out, int offset, int stride, int[] indexDims) {
        // Same values as encodePositions(linearPositions(indexDims)), but sin/cos depend only on (axis, coordinate,
        // band), so they are tabulated per axis and the rows assembled by copying.
        int d = numDims(), k = numBands, c = numChannels(), off0 = concatPos ? d : 0, dk = d * k;
        float[][] axisPos = new float[d][];
        float[][] sinT = new float[d][], cosT = new float[d][];
        for (int i = 0; i < d; i++) {
            axisPos[i] = linspace(-1f, 1f, indexDims[i]);
            Tensor row = encodePositions(axisPositions(i, axisPos[i]));
            sinT[i] = new float[indexDims[i] * k];
            cosT[i] = new float[indexDims[i] * k];
            for (int j = 0; j < indexDims[i]; j++) {
                int src = j * c + off0 + i * k;
                System.arraycopy(row.data(), src, sinT[i], j * k, k);
                if (!sineOnly) System.arraycopy(row.data(), src + dk, cosT[i], j * k, k);
            }
        }
        int n = Math.toIntExact(Tensor.count(indexDims));
        Parallel.forRange(n, 1024, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = offset + r * stride;
                for (int i = d - 1, rest = r; i >= 0; i--) {
                    int j = rest % indexDims[i];
                    rest /= indexDims[i];
                    if (concatPos) out[o + i] = axisPos[i][j];
                    System.arraycopy(sinT[i], j * k, out, o + off0 + i * k, k);
                    if (!sineOnly) System.arraycopy(cosT[i], j * k, out, o + off0 + dk + i * k, k);
                }
            }
        });
    }

    /** Positions {@code [n, d]} that are zero except along axis {@code axis}, which takes {@code values}. */
    private Tensor axisPositions(int axis, float[] values) {
        int d = numDims();
        float[] p = new float[values.length * d];
        for (int j = 0; j < values.length; j++) p[j * d + axis] = values[j];
        return Tensor.of(p, values.length, d);
    }

    /**
     * The encoding of a subset of the grid: {@link #encodePositions} of {@link #subsampledPositions} (decoder
     * queries for {@code subsampled_output_points}).
     *
     * @return {@code [flatIndices.length, numChannels()]}
     */
    public Tensor encodeSubsampled(long[] flatIndices, int... indexDims) {
        checkRank(indexDims);
        return encodePositions(subsampledPositions(flatIndices, indexDims));
    }

    /**
     * HF {@code generate_fourier_features} for explicit positions.
     *
     * @param positions {@code [N, d]} with d = {@link #numDims()}, values normally in [-1, 1]
     * @return {@code [N, numChannels()]}
     */
    public Tensor encodePositions(Tensor positions) {
        int d = numDims();
        if (positions.rank() != 2 || positions.dim(1) != d) {
            throw new IllegalArgumentException("positions must be [N, " + d + "], got " + positions);
        }
        int n = positions.dim(0);
        int c = numChannels();
        int off0 = concatPos ? d : 0;
        int dk = d * numBands;
        float[] pos = positions.data();
        int pOff = positions.offset();
        float[] out = new float[n * c];
        Parallel.forRange(n, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * c;
                for (int i = 0; i < d; i++) {
                    float p = pos[pOff + r * d + i];
                    if (concatPos) out[o + i] = p;
                    for (int k = 0; k < numBands; k++) {
                        float arg = PI_F * (p * bands[i][k]);
                        int j = o + off0 + i * numBands + k;
                        out[j] = (float) Math.sin(arg);
                        if (!sineOnly) out[j + dk] = (float) Math.cos(arg);
                    }
                }
            }
        });
        return Tensor.of(out, n, c);
    }

    /** {@code [N, C] -> [batch, N, C]}, the rows repeated for each batch element (a copy). */
    public static Tensor broadcast(Tensor encoding, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        int[] shape = new int[encoding.rank() + 1];
        shape[0] = batch;
        System.arraycopy(encoding.shape(), 0, shape, 1, encoding.rank());
        Tensor out = Tensor.zeros(shape);
        for (int b = 0; b < batch; b++) out.get(b).copyFrom(encoding);
        return out;
    }

    private void checkRank(int[] indexDims) {
        if (indexDims.length != numDims()) {
            throw new IllegalArgumentException("index dims " + Arrays.toString(indexDims) + " have " + indexDims.length
                    + " axes, the encoding was built for " + numDims() + " (max resolution "
                    + Arrays.toString(maxResolution) + ")");
        }
    }

    private static void checkDims(int[] indexDims) {
        if (indexDims.length == 0) throw new IllegalArgumentException("index dims must not be empty");
        for (int n : indexDims) {
            if (n < 1) throw new IllegalArgumentException("index dims must be >= 1, got " + Arrays.toString(indexDims));
        }
    }
}
