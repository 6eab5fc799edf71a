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

    @Test
    void sumLanesIsInLaneOrder() {
        float[] x = new float[VecMath.L];
        for (int i = 0; i < x.length; i++) x[i] = i == 0 ? 1e8f : 1f;
        float expected = 0f;
        for (float v : x) expected += v;
        assertEquals(expected, VecMath.sumLanes(FloatVector.fromArray(VecMath.S, x, 0)));
    }
}
