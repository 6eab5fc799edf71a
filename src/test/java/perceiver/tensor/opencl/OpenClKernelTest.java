package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.tensor.opencl.OpenClTests.assertClose;
import static perceiver.tensor.opencl.OpenClTests.uniform;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import perceiver.tensor.AttentionKernel;
import perceiver.tensor.Backend;
import perceiver.tensor.Gelu;
import perceiver.tensor.LayerNormKernel;
import perceiver.tensor.Matmul;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Tensor;

/** Every OpenCL kernel against the scalar reference of the CPU path, on shapes that are and are not tile multiples. */
class OpenClKernelTest {
    private static final double TOL = 2e-5;

    @ParameterizedTest(name = "linear [{0}, {1}] x [{1}, {2}] bias={3}")
    @CsvSource({"1,1,1,true", "3,5,7,false", "17,33,65,true", "64,64,64,true", "130,70,129,false", "2,300,3,true"})
    void linearMatchesReference(int rows, int in, int out, boolean withBias) {
        OpenClBackend be = OpenClTests.backend();
        Random r = new Random(rows * 31 + in * 7 + out);
        float[] x = uniform(r, rows * in), w = uniform(r, out * in);
        Tensor bias = withBias ? Tensor.of(uniform(r, out), out) : null;
        float[] expected = new float[rows * out];
        Matmul.gemmReference(rows, out, in, x, 0, in, w, 0, in, true, expected, 0, out, false);
        if (withBias) for (int i = 0; i < rows; i++) for (int j = 0; j < out; j++) expected[i * out + j] += bias.data()[j];
        PackedMatrix wt = PackedMatrix.packTransposed(Tensor.of(w, out, in));
        Tensor y = be.download(be.linear(be.upload(Tensor.of(x, 1, rows, in)), wt, bias));
        assertArrayEquals(new int[] {1, rows, out}, y.shape());
        assertClose(expected, y.data(), TOL, "linear");
    }

    @Test
    void packedMatrixUnpacksRowMajor() {
        float[] w = uniform(new Random(1), 7 * 19);
        assertArrayEquals(w, PackedMatrix.pack(7, 19, w, 0, 19, false).toRowMajor());
    }

    @ParameterizedTest(name = "layerNorm {0} x {1}")
    @CsvSource({"1,1", "3,7", "5,64", "4,1000"})
    void layerNormMatchesReference(int rows, int n) {
        OpenClBackend be = OpenClTests.backend();
        Random r = new Random(n);
        float[] x = uniform(r, rows * n);
        for (int i = 0; i < x.length; i++) x[i] = x[i] * 3 + 5; // an offset the mean must remove
        Tensor gamma = Tensor.of(uniform(r, n), n), beta = Tensor.of(uniform(r, n), n);
        float[] expected = new float[x.length];
        LayerNormKernel.layerNormReference(x, 0, expected, 0, rows, n, gamma.data(), beta.data(), 1e-5f);
        Tensor y = be.download(be.layerNorm(be.upload(Tensor.of(x, rows, n)), gamma, beta, 1e-5f));
        assertClose(expected, y.data(), 1e-4, "layerNorm");
    }

    @Test
    void geluMatchesReference() {
        OpenClBackend be = OpenClTests.backend();
        float[] x = new float[2001];
        for (int i = 0; i < x.length; i++) x[i] = (i - 1000) / 100f;
        x[0] = -1e6f;
        x[2000] = 3e5f;
        float[] expected = x.clone();
        Gelu.geluReference(expected, 0, expected.length);
        Tensor y = be.download(be.gelu(be.upload(Tensor.of(x, x.length))));
        assertClose(expected, y.data(), 1e-6, "gelu");
    }

    @Test
    void addIsElementwise() {
        OpenClBackend be = OpenClTests.backend();
        Random r = new Random(3);
        float[] a = uniform(r, 1000), b = uniform(r, 1000), sum = new float[1000];
        for (int i = 0; i < sum.length; i++) sum[i] = a[i] + b[i];
        Tensor y = be.download(be.add(be.upload(Tensor.of(a, 10, 100)), be.upload(Tensor.of(b, 10, 100))));
        assertArrayEquals(sum, y.data());
        assertThrows(IllegalArgumentException.class, () -> be.add(be.upload(Tensor.zeros(2)), be.upload(Tensor.zeros(3))));
    }

    @Test
    void repeatCopiesTheWeightOnTheDevice() {
        OpenClBackend be = OpenClTests.backend();
        Tensor w = Tensor.of(uniform(new Random(4), 6), 2, 3);
        Tensor y = be.download(be.repeat(w, 3));
        assertArrayEquals(new int[] {3, 2, 3}, y.shape());
        for (int i = 0; i < 3; i++) assertArrayEquals(w.data(), y.get(i).toArray());
    }

    /** batch, heads, n, m, f, fv, masked fraction: with probabilities (scores, softmax_rows, matmul) and streamed. */
    @ParameterizedTest(name = "attend B={0} H={1} N={2} M={3} F={4} Fv={5} masked={6}")
    @CsvSource({"1,1,1,1,1,1,0", "2,3,5,7,4,6,0.3", "2,2,17,63,16,8,0.5", "1,1,33,65,32,16,0", "2,4,20,200,8,12,0.2",
            "1,2,70,130,20,20,0.9", "1,1,3,300,3,5,0", "2,1,5,1000,8,8,0.5", "1,2,40,777,16,24,0"})
    void attendMatchesReference(int batch, int heads, int n, int m, int f, int fv, double masked) {
        OpenClBackend be = OpenClTests.backend();
        Random r = new Random(batch + 10 * heads + 100 * n + 1000 * m);
        Tensor q = Tensor.of(uniform(r, batch * n * heads * f), batch, n, heads * f);
        Tensor k = Tensor.of(uniform(r, batch * m * heads * f), batch, m, heads * f);
        Tensor v = Tensor.of(uniform(r, batch * m * heads * fv), batch, m, heads * fv);
        for (int i = 0; i < q.size(); i++) q.data()[i] *= 4; // sharper softmax
        float[][] mask = new float[batch][m];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < m; j++) if (r.nextDouble() < masked) mask[b][j] = -Float.MAX_VALUE;
        }
        if (masked > 0 && m > 64) { // a whole masked key block (and a whole masked split of 256 keys)
            java.util.Arrays.fill(mask[0], 0, m > 300 ? 300 : 64, -Float.MAX_VALUE);
        }
        Tensor expected = Tensor.zeros(batch, n, heads * fv), expectedProbs = Tensor.zeros(batch, heads, n, m);
        for (int b = 0; b < batch; b++) {
            AttentionKernel.attendReference(q.get(b), k.get(b), v.get(b), heads, masked > 0 ? mask[b] : null,
                    expected.get(b), expectedProbs.get(b));
        }
        float[][] m2 = masked > 0 ? mask : null;
        ClArray dq = be.upload(q), dk = be.upload(k), dv = be.upload(v);
        Tensor probs = Tensor.zeros(batch, heads, n, m);
        assertClose(expected.data(), be.download(be.attend(dq, dk, dv, heads, m2, probs)).data(), 1e-4, "attend (probs)");
        assertClose(expectedProbs.data(), probs.data(), 1e-5, "probabilities");
        for (int i = 0; i < probs.size(); i++) {
            if (expectedProbs.data()[i] == 0f) assertEquals(0f, probs.data()[i], "masked probability " + i + " is exactly 0");
        }
        assertClose(expected.data(), be.download(be.attend(dq, dk, dv, heads, m2, null)).data(), 1e-4, "attend (streamed)");
        OpenClBackend split = OpenCl.open(null, Long.MAX_VALUE, null);
        split.targetGroups(1 << 12); // keys split into ranges of 256 merged by attend_combine
        assertClose(expected.data(), split.download(split.attend(split.upload(q), split.upload(k), split.upload(v), heads,
                m2, null)).data(), 1e-4, "attend (streamed, keys split)");
    }

    @Test
    void attendWithoutKeysGivesZeros() {
        OpenClBackend be = OpenClTests.backend();
        ClArray q = be.upload(Tensor.of(uniform(new Random(5), 6), 1, 3, 2));
        ClArray kv = be.upload(Tensor.zeros(1, 0, 2));
        Tensor out = be.download(be.attend(q, kv, kv, 1, null, null));
        assertArrayEquals(new float[6], out.data());
    }

    @Test
    void theProgramIsBuiltOncePerProcess() {
        OpenClBackend be = OpenClTests.backend();
        long t0 = System.nanoTime();
        OpenClBackend again = OpenCl.open(null, Long.MAX_VALUE, null);
        assertTrue(again.sharesProgramWith(be), "same context, queue and program");
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "no second build");
    }

    @Test
    void weightsAreUploadedOnce() {
        OpenClBackend be = OpenClTests.backend();
        PackedMatrix w = PackedMatrix.packTransposed(Tensor.of(uniform(new Random(6), 12), 4, 3));
        Tensor bias = Tensor.zeros(4);
        ClArray x = be.upload(Tensor.zeros(2, 3));
        long before = be.weightUploads();
        be.linear(x, w, bias);
        assertEquals(before + 2, be.weightUploads(), "weight and bias uploaded");
        be.linear(x, w, bias);
        be.linear(be.linear(x, w, bias), PackedMatrix.packTransposed(Tensor.zeros(4, 4)), bias);
        assertEquals(before + 3, be.weightUploads(), "only the new weight uploaded");
    }

    @Test
    void scopesReleaseWhatTheyAllocatedAndKeepHandsOn() {
        OpenClBackend be = OpenClTests.backend();
        Tensor gamma = Tensor.zeros(8), beta = Tensor.zeros(8);
        be.layerNorm(be.upload(Tensor.zeros(1, 8)), gamma, beta, 1e-5f); // uploads the weights before counting
        long base = be.bytesInUse();
        ClArray kept, inner;
        try (Backend.Scope outer = be.scope()) {
            ClArray x = be.upload(Tensor.zeros(100, 8));
            try (Backend.Scope s = be.scope()) {
                inner = be.layerNorm(x, gamma, beta, 1e-5f);
                kept = s.keep(be.layerNorm(x, gamma, beta, 1e-5f));
                assertSame(x, be.add(x, kept));
            }
            assertTrue(inner.released(), "released with its scope");
            assertTrue(!kept.released() && !x.released(), "kept by the outer scope");
            assertEquals(base + 2 * 100 * 8 * 4, be.bytesInUse());
        }
        assertTrue(kept.released());
        assertEquals(base, be.bytesInUse(), "all released");
        assertThrows(IllegalStateException.class, () -> be.download(kept));
    }
}
