package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.junit.jupiter.api.Assumptions;

import perceiver.tensor.BackendUnavailableException;

/**
 * The OpenCL backend the tests run on, and tolerant comparisons. Where no OpenCL platform or device exists (a
 * machine without an OpenCL runtime) the tests are skipped with the reason; under CI ({@code CI=true}, where
 * .ci/run installs PoCL) or with {@code -Dperceiver.opencl.required=true} they fail instead, so a broken runtime
 * is never hidden behind a skip.
 */
final class OpenClTests {
    private static OpenClBackend backend;
    private static String unavailable;

    private OpenClTests() {}

    /** The default device's backend (the first GPU, else the first device), opened once per test JVM. */
    static synchronized OpenClBackend backend() {
        if (backend == null && unavailable == null) {
            try {
                backend = OpenCl.open(System.getProperty("perceiver.test.opencl.device"), Long.MAX_VALUE, null);
            } catch (BackendUnavailableException e) {
                unavailable = e.getMessage();
            }
        }
        if (backend == null) skipOrFail(unavailable);
        return backend;
    }

    static void skipOrFail(String why) {
        String msg = "OpenCL tests skipped: " + why;
        if ("true".equals(System.getenv("CI")) || Boolean.getBoolean("perceiver.opencl.required")) {
            fail(msg + " (CI requires OpenCL: .ci/run installs ocl-icd-libopencl1 and pocl-opencl-icd)");
        }
        Assumptions.abort(msg);
    }

    static float[] uniform(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2f - 1f;
        return x;
    }

    /** Fails unless {@code |e - a| <= tol · max(1, |e|)} everywhere; returns the largest |e - a|. */
    static double assertClose(float[] expected, float[] actual, double tol, String what) {
        if (expected.length != actual.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= tol * Math.max(1, Math.abs(expected[i])))) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }
}
