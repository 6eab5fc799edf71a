package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer normalisation over the last axis: {@code y = (x - mean) / sqrt(var + eps) · gamma + beta} with the biased
 * variance, per row of a {@code [rows, n]} array.
 */
public final class LayerNormKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private LayerNormKernel() {}

    /** Scalar definition (two passes, float accumulation). {@code gamma}/{@code beta} may be null (no affine step). */
    public static void layerNormReference(float[] x, int xOff, float[] y, int yOff, int rows, int n,
                                          float[] gamma, float[] beta, float eps) {
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * n, yo = yOff + r * n;
            float sum = 0f;
            for (int j = 0; j < n; j++) sum += x[xo + j];
            float mean = sum / n;
            float sq = 0f;
            for (int j = 0; j < n; j++) {
                float d = x[xo + j] - mean;
                sq += d * d;
            }
            float inv = (float) (1.0 / Math.sqrt(sq / n + eps));
            for (int j = 0; j < n; j++) {
                float v = (x[xo + j] - mean) * inv;
                y[yo + j] = gamma == null ? v : v * gamma[j] + beta[j];
            }
        }
    }

    /** Vectorised {@link #layerNormReference}, parallel over rows. {@code y} may alias {@code x}. */
    public static void layerNorm(float[] x, int xOff, float[] y, int yOff, int rows, int n,
                                 float[] gamma, float[] beta, float eps) {
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, n)), (from, to) -> {
            for (int r = from; r < to; r++) row(x, xOff + r * n, y, yOff + r * n, n, gamma, beta, eps);
        });
    }

    private static void row(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float[] beta, float eps) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j < bound; j += S.length()) acc = acc.add(FloatVector.fromArray(S, x, xo + j));
        float sum = VecMath.sumLanes(acc);
        for (; j < n; j++) sum += x[xo + j];
        float mean = sum / n;
        acc = FloatVector.zero(S);
        for (j = 0; j < bound; j += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, xo + j).sub(mean);
            acc = d.fma(d, acc);
        }
        float sq = VecMath.sumLanes(acc);
        for (; j < n; j++) {
            float d = x[xo + j] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / n + eps));
        for (j = 0; j < bound; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + j).sub(mean).mul(inv);
            if (gamma != null) v = v.fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j));
            v.intoArray(y, yo + j);
        }
        for (; j < n; j++) {
            float v = (x[xo + j] - mean) * inv;
            y[yo + j] = gamma == null ? v : v * gamma[j] + beta[j];
        }
    }
}
