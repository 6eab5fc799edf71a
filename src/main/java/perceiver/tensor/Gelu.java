package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact (erf) GELU, {@code gelu(x) = x/2 · (1 + erf(x/√2))}, as {@code torch.nn.functional.gelu}.
 *
 * <p>erf is the rational approximation used by Eigen and XLA for float32 ({@code x·P(x²)/Q(x²)} on [-4, 4],
 * ±1 beyond; max error a few ulp, checked against Commons Math's {@code Erf} in the tests).
 */
public final class Gelu {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float[] ALPHA = {
        -2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f, -5.69250639462346e-05f,
        -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f};
    private static final float[] BETA = {
        -1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f, -7.37332916720468e-03f,
        -1.42647390514189e-02f};
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));

    private Gelu() {}

    /** Scalar erf (the same rational approximation the vector path evaluates). */
    public static float erf(float x) {
        float c = Math.max(-4f, Math.min(4f, x));
        float x2 = c * c;
        float p = ALPHA[0];
        for (int i = 1; i < ALPHA.length; i++) p = Math.fma(p, x2, ALPHA[i]);
        float q = BETA[0];
        for (int i = 1; i < BETA.length; i++) q = Math.fma(q, x2, BETA[i]);
        return c * p / q;
    }

    /** Scalar definition over {@code x[off, off+n)}, in place. */
    public static void geluReference(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = 0.5f * x[i] * (1f + erf(x[i] * INV_SQRT2));
    }

    /** Vectorised {@link #geluReference}, parallel over the range. */
    public static void gelu(float[] x, int off, int n) {
        Parallel.forRange(n, 1 << 14, (from, to) -> range(x, off + from, to - from));
    }

    private static void range(float[] x, int off, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            FloatVector c = v.mul(INV_SQRT2).max(-4f).min(4f);
            FloatVector x2 = c.mul(c);
            FloatVector p = FloatVector.broadcast(S, ALPHA[0]);
            for (int k = 1; k < ALPHA.length; k++) p = p.fma(x2, FloatVector.broadcast(S, ALPHA[k]));
            FloatVector q = FloatVector.broadcast(S, BETA[0]);
            for (int k = 1; k < BETA.length; k++) q = q.fma(x2, FloatVector.broadcast(S, BETA[k]));
            FloatVector erf = c.mul(p).div(q);
            v.mul(0.5f).mul(erf.add(1f)).intoArray(x, off + i);
        }
        geluReference(x, off + i, n - i);
    }
}
