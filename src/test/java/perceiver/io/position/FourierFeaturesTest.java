package perceiver.io.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.tensor.Tensor;

/**
 * Fourier features inside the model goldens, and properties. Every combination of golden/fourier-features (HF v4.27.1
 * functions evaluated by torch in float32) is checked by the golden runner ({@link perceiver.golden.FourierCase}).
 */
class FourierFeaturesTest {
    private static final double TOL = 1e-5;

    /** Columns {@code [from, from + width)} of rows {@code [r0, r0 + n)} of batch element 0 of a {@code [B, M, C]} tensor. */
    private static Tensor block(Tensor t, int r0, int n, int from, int width) {
        float[] out = new float[n * width];
        for (int r = 0; r < n; r++) {
            System.arraycopy(t.data(), t.offset() + (r0 + r) * t.dim(2) + from, out, r * width, width);
        }
        return Tensor.of(out, n, width);
    }

    /** The Fourier parts of the model goldens: 64-band flow encoder, 192/32-band multimodal encoder and decoder. */
    @Test
    void modelEncodingsMatchGolden() {
        try (TensorStore flow = Checkpoints.open(Path.of("golden/optical-flow/io.safetensors"));
             TensorStore mm = Checkpoints.open(Path.of("golden/multimodal-autoencoding/io.safetensors"))) {
            Tensor flowPos = new FourierFeatures(64, new int[] {12, 16}, true, false).encode(12, 16);
            assertClose(block(flow.floats("preprocessor.output"), 0, 192, 64, 258), flowPos, TOL, "optical-flow preprocessor.output pos");

            FourierFeatures audio = new FourierFeatures(192, new int[] {16}, true, false);
            FourierFeatures image = new FourierFeatures(32, new int[] {2, 2, 2}, true, false);
            Tensor pre = mm.floats("preprocessor.output");
            assertClose(block(pre, 0, 4, 4, 385), audio.encode(4), TOL, "multimodal preprocessor.output audio pos");
            assertClose(block(pre, 4, 8, 48, 195), image.encode(2, 2, 2), TOL, "multimodal preprocessor.output image pos");
            for (String run : new String[] {"full.", "chunk."}) {
                long[] ap = mm.longs(run + "subsampled_output_points.audio");
                long[] ip = mm.longs(run + "subsampled_output_points.image");
                Tensor q = mm.floats(run + "decoder.query");
                assertClose(block(q, 0, ap.length, 0, 385), audio.encodeSubsampled(ap, 4), TOL, run + "decoder.query audio");
                assertClose(block(q, ap.length, ip.length, 0, 195), image.encodeSubsampled(ip, 2, 8, 8), TOL,
                        run + "decoder.query image");
            }
        }
    }

    @Test
    void linspaceMatchesTorchVectorPath() {
        // torch.linspace(-1, 1, 16) on the golden machine: one pair of 8-lane vectors (see optical-flow positions)
        float[] l = FourierFeatures.linspace(-1f, 1f, 16);
        assertEquals(-1f, l[0]);
        assertEquals(1f, l[15], 1e-7f);
        assertEquals(-1f, FourierFeatures.linspace(-1f, 1f, 1)[0]);
    }

    @Test
    void tabulatedGridEqualsGeneralPath() {
        int[][] dims = {{5}, {7, 9}, {3, 17, 33}};
        for (int[] d : dims) {
            for (boolean concat : new boolean[] {true, false}) {
                for (boolean sine : new boolean[] {true, false}) {
                    int[] res = new int[d.length];
                    for (int i = 0; i < d.length; i++) res[i] = 2 * d[i] + 3;
                    FourierFeatures ff = new FourierFeatures(19, res, concat, sine);
                    assertArrayEquals(
                            ff.encodePositions(FourierFeatures.linearPositions(d)).toArray(), ff.encode(d).toArray());
                }
            }
        }
    }

    @Test
    void appendToEqualsConcatenationPerBatchElement() {
        FourierFeatures ff = new FourierFeatures(6, new int[] {8, 10}, true, false);
        int[] grid = {3, 5};
        Tensor all = Tensor.zeros(3, 15, 4);
        for (int i = 0; i < all.size(); i++) all.data()[i] = i * 0.25f - 7;
        Tensor features = all.rows(1, 3); // a view with an offset, batch 2
        Tensor out = ff.appendTo(features, grid);
        Tensor expected = Tensor.concatLast(features, ff.encode(grid).repeat(2));
        assertArrayEquals(expected.shape(), out.shape());
        assertArrayEquals(expected.toArray(), out.toArray());
        var e = assertThrows(IllegalArgumentException.class,
                () -> ff.appendTo(features, 4, 5));
        assertTrue(e.getMessage().contains("[batch, 20, channels]"), e.getMessage());
    }

    @Test
    void channelCountFormula() {
        assertEquals(258, FourierFeatures.numChannels(2, 64, true, false));
        assertEquals(195, FourierFeatures.numChannels(3, 32, true, false));
        assertEquals(385, FourierFeatures.numChannels(1, 192, true, false));
        assertEquals(258, new FourierFeatures(64, new int[] {56, 56}, true, false).numChannels());
    }

    @Test
    void badArguments() {
        FourierFeatures ff = new FourierFeatures(4, new int[] {8, 8}, true, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ff.encode(4, 4, 4));
        assertEquals(true, e.getMessage().contains("3 axes"));
        assertThrows(IllegalArgumentException.class, () -> FourierFeatures.subsampledPositions(new long[] {16}, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> new FourierFeatures(0, new int[] {8}, true, false));
    }
}
