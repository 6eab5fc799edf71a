package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Bias and residual additions over float windows. */
public final class Elementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Elementwise() {}

    /** Scalar definition of {@link #addInPlace}. */
    public static void addInPlaceReference(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** Scalar definition of {@link #addRowVector}. */
    public static void addRowVectorReference(float[] y, int yOff, int rows, int n, float[] bias, int biasOff) {
        for (int r = 0; r < rows; r++) addInPlaceReference(y, yOff + r * n, bias, biasOff, n);
    }

    /** {@code y[i] += x[i]} over {@code n} elements. */
    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        Parallel.forRange(n, 1 << 16, (from, to) -> {
            int len = to - from;
            int bound = S.loopBound(len);
            int i = 0;
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, y, yOff + from + i).add(FloatVector.fromArray(S, x, xOff + from + i))
                        .intoArray(y, yOff + from + i);
            }
            for (; i < len; i++) y[yOff + from + i] += x[xOff + from + i];
        });
    }

    /** {@code y[r, j] += bias[j]} for each of {@code rows} rows of width {@code n}. */
    public static void addRowVector(float[] y, int yOff, int rows, int n, float[] bias, int biasOff) {
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, n)), (from, to) -> {
            int bound = S.loopBound(n);
            for (int r = from; r < to; r++) {
                int o = yOff + r * n;
                int j = 0;
                for (; j < bound; j += S.length()) {
                    FloatVector.fromArray(S, y, o + j).add(FloatVector.fromArray(S, bias, biasOff + j)).intoArray(y, o + j);
                }
                for (; j < n; j++) y[o + j] += bias[biasOff + j];
            }
        });
    }
}
