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
    private static final float A0 = -2.72614225801306e-10f, A1 = 2.77068142495902e-08f,
            A2 = -2.10102402082508e-06f, A3 = -5.69250639462346e-05f, A4 = -7.34990630326855e-04f,
            A5 = -2.95459980854025e-03f, A6 = -1.60960333262415e-02f;
    private static final float B0 = -1.45660718464996e-05f, B1 = -2.13374055278905e-04f,
            B2 = -1.68282697438203e-03f, B3 = -7.37332916720468e-03f, B4 = -1.42647390514189e-02f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));

    private Gelu() {}

    /** Scalar erf (the same rational approximation the vector path evaluates). */
    public static float erf(float x) {
        float c = Math.max(-4f, Math.min(4f, x));
        float x2 = c * c;
        float p = Math.fma(x2, A0, A1);
        p = Math.fma(p, x2, A2);
        p = Math.fma(p, x2, A3);
        p = Math.fma(p, x2, A4);
        p = Math.fma(p, x2, A5);
        p = Math.fma(p, x2, A6);
        float q = Math.fma(x2, B0, B1);
        q = Math.fma(q, x2, B2);
        q = Math.fma(q, x2, B3);
        q = Math.fma(q, x2, B4);
        return c * p / q;
    }

    /** Scalar definition over {@code x[off, off+n)}, in place. */
    public static void geluReference(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = gelu(x[i]);
    }

    /** One element (the same bits as a lane of {@link #gelu(FloatVector)}). */
    static float gelu(float x) {
        return 0.5f * x * (1f + erf(x * INV_SQRT2));
    }

    /** Vectorised {@link #geluReference}, parallel over the range. */
    public static void gelu(float[] x, int off, int n) {
        Parallel.forRange(n, 1 << 14, (from, to) -> range(x, off + from, to - from));
    }

    private static void range(float[] x, int off, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) gelu(FloatVector.fromArray(S, x, off + i)).intoArray(x, off + i);
        geluReference(x, off + i, n - i);
    }

    /**
     * One vector, the same operations as {@link #erf(float)} and {@link #geluReference} (so the same bits), with
     * the coefficients as constants (array reads in the loop would be reloaded and re-broadcast every time).
     */
    static FloatVector gelu(FloatVector v) {
        FloatVector c = v.mul(INV_SQRT2).max(-4f).min(4f);
        FloatVector x2 = c.mul(c);
        FloatVector p = x2.fma(A0, A1);
        p = p.fma(x2, FloatVector.broadcast(S, A2));
        p = p.fma(x2, FloatVector.broadcast(S, A3));
        p = p.fma(x2, FloatVector.broadcast(S, A4));
        p = p.fma(x2, FloatVector.broadcast(S, A5));
        p = p.fma(x2, FloatVector.broadcast(S, A6));
        FloatVector q = x2.fma(B0, B1);
        q = q.fma(x2, FloatVector.broadcast(S, B2));
        q = q.fma(x2, FloatVector.broadcast(S, B3));
        q = q.fma(x2, FloatVector.broadcast(S, B4));
        FloatVector erf = c.mul(p).div(q);
        return v.mul(0.5f).mul(erf.add(1f));
    }
}
