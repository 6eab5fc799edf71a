package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Numerically stable softmax over each row of a {@code [rows, n]} window, in place, after adding an optional
 * additive mask row {@code mask[n]} (0 keeps, a huge negative value such as {@code -Float.MAX_VALUE} drops:
 * {@code exp} of it underflows to exactly 0).
 */
public final class Softmax {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Softmax() {}

    /** Scalar definition: {@code x ← softmax(scale · x + mask)} per row, max-subtracted, in float. */
    public static void softmaxReference(float[] x, int off, int rows, int n, int ld, float scale, float[] mask) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * ld;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                float v = x[o + j] * scale + (mask == null ? 0f : mask[j]);
                x[o + j] = v;
                max = Math.max(max, v);
            }
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(x[o + j] - max);
                x[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < n; j++) x[o + j] *= inv;
        }
    }

    /**
     * Vectorised {@link #softmaxReference}, parallel over rows. Uses {@link VecMath#exp} (about 1 ulp from
     * {@code Math.exp}) and a fixed summation order, so a row's result never depends on the thread count.
     */
    public static void softmax(float[] x, int off, int rows, int n, int ld, float scale, float[] mask) {
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, n)), (from, to) -> {
            for (int r = from; r < to; r++) row(x, off + r * ld, n, scale, mask);
        });
    }

    /** One row: {@code x ← softmax(scale · x + mask)} over {@code [o, o+n)}. */
    static void row(float[] x, int o, int n, float scale, float[] mask) {
        float max = scaleMaskMax(x, o, n, scale, mask, 0);
        float sum = expSubtract(x, o, n, max);
        scaleInPlace(x, o, n, 1f / sum);
    }

    /** {@code x ← x · scale + mask[maskOff..]} over {@code [off, off+n)}; returns the max (as the softmax does). */
    static float scaleMaskMax(float[] x, int off, int n, float scale, float[] mask, int maskOff) {
        int bound = S.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + j).mul(scale);
            if (mask != null) v = v.add(FloatVector.fromArray(S, mask, maskOff + j));
            v.intoArray(x, off + j);
            vmax = vmax.max(v);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            float v = x[off + j] * scale + (mask == null ? 0f : mask[maskOff + j]);
            x[off + j] = v;
            max = Math.max(max, v);
        }
        return max;
    }

    /** {@code x[i] ← exp(x[i] - max)} over {@code [off, off+n)}; returns the sum (lanes first, then the tail). */
    static float expSubtract(float[] x, int off, int n, float max) {
        int bound = S.loopBound(n);
        FloatVector vsum = FloatVector.zero(S);
        int j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector e = VecMath.exp(FloatVector.fromArray(S, x, off + j).sub(max));
            e.intoArray(x, off + j);
            vsum = vsum.add(e);
        }
        float sum = VecMath.sumLanes(vsum);
        for (; j < n; j++) {
            float e = VecMath.exp(x[off + j] - max);
            x[off + j] = e;
            sum += e;
        }
        return sum;
    }

    static void scaleInPlace(float[] x, int off, int n, float s) {
        int bound = S.loopBound(n);
        int j = 0;
        for (; j < bound; j += S.length()) FloatVector.fromArray(S, x, off + j).mul(s).intoArray(x, off + j);
        for (; j < n; j++) x[off + j] *= s;
    }
}
