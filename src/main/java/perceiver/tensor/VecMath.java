package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deterministic vector helpers: built from IEEE operations only (add, mul, fma, compare, convert), so a lane gives
 * the same bits whether the JIT intrinsifies the Vector API or runs its Java fallback, and the scalar twins give
 * the same bits as a lane. {@code VectorOperators.EXP} and {@code reduceLanes(ADD)} give neither guarantee (the
 * intrinsic and the fallback round differently or sum in another order), which would make results depend on JIT
 * timing and so on the thread count.
 */
final class VecMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    /**
     * Inputs are raised to -88 at least: at -88 and below (so for {@code -Float.MAX_VALUE} and {@code -inf}) the
     * exponent n reaches -127 and 2^n is built as the bit pattern 0, so exp returns exactly 0 (results under 2^-126
     * are flushed). There is no upper clamp: the softmax calls exp on {@code x - max ≤ 0}; results are right up to
     * x = 88.7 (then +inf), and wrong beyond.
     */
    private static final float EXP_LO = -88f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 · 2^23: {@code t = y + ROUNDER} rounds y to the integer n held in t's low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private VecMath() {}

    /**
     * {@code e^x} per lane for {@code x ≤ 88.7} (Cephes {@code expf}: {@code x = n·ln2 + r}, degree-5 polynomial in
     * r, times 2^n; about 1 ulp). 2^n comes from the rounding sum's bits: {@code bits(t + 127) << 23 = (n + 127) <<
     * 23}, no float-to-int conversion. The clamp is a compare and a blend (NaN fails the compare and stays NaN, as
     * with {@code Math.max}): {@code max}, which must order -0 and NaN as {@code Math.max} does, takes five
     * instructions, and with it the attention was 4-10 % slower where exponentials are a large share
     * (bench/RESULTS.md, session 8). {@code n·ln2hi} is exact (n has at most 8 bits, ln2hi 9), so the fma rounds as
     * mul-then-add did.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.blend(EXP_LO, x.lt(EXP_LO));
        FloatVector t = c.fma(LOG2E, ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector pow2 = t.add(127f).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(pow2);
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order, the same bits. */
    static float exp(float x) {
        float c = x < EXP_LO ? EXP_LO : x;
        float t = Math.fma(c, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(Float.floatToRawIntBits(t + 127f) << 23);
    }

    /** Lane permutations {@code i -> i ^ h} for h = L/2, L/4, ..., 1: the fixed pairing tree of {@link #sumLanes}. */
    private static final VectorShuffle<Float>[] PAIRS = pairs();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] pairs() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] p = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int h = L >> (s + 1);
            p[s] = VectorShuffle.fromOp(S, i -> i ^ h);
        }
        return p;
    }

    /**
     * Sum of the lanes in a fixed pairwise order (halves, then quarters, ...: exact permutations and IEEE adds, so
     * the same bits with or without the intrinsics, unlike {@code reduceLanes(ADD)}).
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> p : PAIRS) v = v.add(v.rearrange(p));
        return v.lane(0);
    }
}
