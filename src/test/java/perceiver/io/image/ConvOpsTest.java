package perceiver.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static perceiver.io.TensorAsserts.assertClose;

import org.junit.jupiter.api.Test;
import perceiver.io.GoldenFile;
import perceiver.io.position.FourierFeatures;
import perceiver.tensor.Tensor;

/** Golden test of the conv stem against golden/image-conv (HF PerceiverForImageClassificationConvProcessing). */
class ConvOpsTest {
    private static final String W = "perceiver.input_preprocessor.convnet.";

    @Test
    void convStemMatchesGolden() {
        GoldenFile io = GoldenFile.open("image-conv/io.safetensors");
        GoldenFile w = GoldenFile.open("image-conv/weights.safetensors");
        Tensor pixels = io.f32("inputs");
        Tensor conv = ConvOps.conv2dSamePadding(pixels, w.f32(W + "conv.weight"), null, 2);
        assertClose(io.f32("preprocessor.convnet.conv.output"), conv, 1e-5, "image-conv conv.output");
        Tensor bn = ConvOps.batchNormEval(conv, w.f32(W + "batchnorm.weight"), w.f32(W + "batchnorm.bias"),
                w.f32(W + "batchnorm.running_mean"), w.f32(W + "batchnorm.running_var"), 1e-5);
        assertClose(io.f32("preprocessor.convnet.batchnorm.output"), bn, 1e-5, "image-conv batchnorm.output");
        Tensor out = ConvOps.convDownsample(pixels, w.f32(W + "conv.weight"), w.f32(W + "batchnorm.weight"),
                w.f32(W + "batchnorm.bias"), w.f32(W + "batchnorm.running_mean"), w.f32(W + "batchnorm.running_var"));
        assertClose(io.f32("preprocessor.convnet.output"), out, 1e-5, "image-conv convnet.output");

        // preprocessor.output = [tokens (64), Fourier (56, 56) over the 7x7 grid (258)]
        Tensor tokens = ConvOps.toTokens(out);
        Tensor pos = new FourierFeatures(64, new int[] {56, 56}, true, false).encode(7, 7);
        Tensor expected = io.f32("preprocessor.output");
        int c = expected.dim(2);
        float[] cat = new float[expected.size()];
        for (int r = 0; r < 2 * 49; r++) {
            System.arraycopy(tokens.data(), r * 64, cat, r * c, 64);
            System.arraycopy(pos.data(), (r % 49) * 258, cat, r * c + 64, 258);
        }
        assertClose(expected, Tensor.of(cat, expected.shape()), 1e-5, "image-conv preprocessor.output (tokens + pos)");
    }

    @Test
    void conv2dMatchesDirectSum() {
        java.util.Random rnd = new java.util.Random(3);
        Tensor x = random(rnd, 2, 3, 9, 11), w = random(rnd, 5, 3, 3, 2), b = random(rnd, 5);
        int[] pad = {1, 2, 0, 1};
        Tensor y = ConvOps.conv2d(x, w, b, 2, pad);
        int ho = (9 + 3 - 3) / 2 + 1, wo = (11 + 1 - 2) / 2 + 1;
        assertArrayEquals(new int[] {2, 5, ho, wo}, y.shape());
        Tensor ref = Tensor.zeros(2, 5, ho, wo);
        for (int n = 0; n < 2; n++) for (int o = 0; o < 5; o++) for (int oy = 0; oy < ho; oy++) for (int ox = 0; ox < wo; ox++) {
            double s = b.at(o);
            for (int c = 0; c < 3; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) {
                int iy = oy * 2 + i - 1, ix = ox * 2 + j;
                if (iy >= 0 && iy < 9 && ix >= 0 && ix < 11) s += w.at(o, c, i, j) * x.at(n, c, iy, ix);
            }
            ref.set((float) s, n, o, oy, ox);
        }
        assertClose(ref, y, 1e-5, "conv2d vs direct sum");
        Tensor w1 = random(rnd, 4, 3);
        Tensor y1 = ConvOps.conv1x1(x, w1, null);
        float v = 0;
        for (int c = 0; c < 3; c++) v += w1.at(2, c) * x.at(1, c, 4, 7);
        assertClose(Tensor.of(new float[] {v}, 1), Tensor.of(new float[] {y1.at(1, 2, 4, 7)}, 1), 1e-6, "conv1x1 element");
        Tensor t = ConvOps.toTokens(x);
        assertArrayEquals(new int[] {2, 99, 3}, t.shape());
        assertClose(Tensor.of(new float[] {x.at(1, 2, 4, 7)}, 1), Tensor.of(new float[] {t.at(1, 4 * 11 + 7, 2)}, 1), 0, "toTokens element");
    }

    @Test
    void badShapes() {
        Tensor x = Tensor.zeros(1, 3, 8, 8);
        assertThrows(IllegalArgumentException.class, () -> ConvOps.conv2d(x, Tensor.zeros(4, 2, 3, 3), null, 1, new int[4]));
        assertThrows(IllegalArgumentException.class, () -> ConvOps.maxPool2d(Tensor.zeros(1, 1, 2, 2), 3, 2));
        assertThrows(IllegalArgumentException.class, () -> ConvOps.toTokens(Tensor.zeros(3, 8, 8)));
    }

    private static Tensor random(java.util.Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rnd.nextGaussian();
        return t;
    }
}
