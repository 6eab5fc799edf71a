package perceiver.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScalingTest {

    @Test
    void aLineFitsExactly() {
        Scaling.Fit f = Scaling.Fit.of(new double[] {1024, 2048, 4096, 8192}, new double[] {2 + 3 * 1024, 2 + 3 * 2048,
                2 + 3 * 4096, 2 + 3 * 8192});
        assertEquals(2, f.intercept(), 1e-9);
        assertEquals(3, f.slope(), 1e-12);
        assertEquals(1, f.r2(), 1e-12);
        assertEquals(1, f.logLogSlope(), 1e-3);
    }

    @Test
    void aQuadraticIsNotLinear() {
        double[] x = {1, 2, 4, 8, 16, 32, 64, 128}, y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * x[i];
        Scaling.Fit f = Scaling.Fit.of(x, y);
        assertTrue(f.r2() < 0.95, "R² " + f.r2());
        assertEquals(2, f.logLogSlope(), 1e-9);
    }
}
