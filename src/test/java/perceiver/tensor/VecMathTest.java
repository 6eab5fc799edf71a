package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VecMathTest {

    @Test
    void vectorExpEqualsScalarTwinAndMathExp() {
        Random r = new Random(1);
        int n = 40_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i < 20_000 ? -100f + 190f * i / 20_000 : (float) r.nextGaussian() * 10f;
        float[] y = new float[n];
        for (int i = 0; i + VecMath.L <= n; i += VecMath.L) {
            VecMath.exp(FloatVector.fromArray(VecMath.S, x, i)).intoArray(y, i);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(VecMath.exp(x[i])), Float.floatToRawIntBits(y[i]), "lane vs scalar at " + x[i]);
            double e = Math.exp(x[i]);
            if (x[i] >= -87.3f && x[i] <= 88f) {
                assertTrue(Math.abs(y[i] - e) <= 3e-7 * e, "exp(" + x[i] + ") = " + y[i] + " vs " + e);
            }
        }
    }

    @Test
    void expEdgeValues() {
        assertEquals(1f, VecMath.exp(0f));
        assertEquals(0f, VecMath.exp(-Float.MAX_VALUE));
        assertEquals(0f, VecMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, VecMath.exp(-88f));
        assertTrue(VecMath.exp(-87.3f) > 0f);
        assertTrue(VecMath.exp(88f) > 1.6e38f);
    }

    /** Pairwise: lane i is added to lane i ^ L/2 first, and so on; checked against that order spelled out. */
    @Test
    void sumLanesIsAFixedPairwiseTree() {
        java.util.Random r = new java.util.Random(4);
        for (int t = 0; t < 1000; t++) {
            float[] x = new float[VecMath.L];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(8)));
            float[] y = x.clone();
            for (int h = VecMath.L / 2; h >= 1; h /= 2) {
                float[] z = new float[y.length];
                for (int i = 0; i < y.length; i++) z[i] = y[i] + y[i ^ h];
                y = z;
            }
            assertEquals(Float.floatToRawIntBits(y[0]),
                    Float.floatToRawIntBits(VecMath.sumLanes(FloatVector.fromArray(VecMath.S, x, 0))));
        }
    }
}
