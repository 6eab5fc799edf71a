package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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

    record Run(int code, String out, String err) {
        @Override
        public String toString() { return "exit " + code + "\nstdout: " + out + "\nstderr: " + err; }
    }

    /** The test class path (Surefire runs tests from a manifest-only jar; it names the real path in a property). */
    static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Runs the CLI in a child JVM; arguments that start with -X go to the JVM. */
    static Run cli(String classPath, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-cp", classPath));
        List<String> rest = new ArrayList<>();
        for (String a : args) (a.startsWith("-X") ? cmd : rest).add(a);
        cmd.add("perceiver.cli.Main");
        cmd.addAll(rest);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("cli", ".out"), err = Files.createTempFile("cli", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("CLI did not finish in 120 s: " + cmd);
            }
            String e = Files.readString(err, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("WARNING: Using incubator")).collect(Collectors.joining("\n"));
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
