package perceiver.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.core.Trace;
import perceiver.io.position.FourierFeatures;
import perceiver.tensor.Tensor;

/**
 * Golden test of the conv ops one by one and composed as {@link ImagePreprocessor.ConvStem} against golden/image-conv
 * (HF PerceiverForImageClassificationConvProcessing).
 */
class ConvOpsTest {
    private static final String W = "perceiver.input_preprocessor.convnet.";

    @Test
    void convStemMatchesGolden() {
        try (TensorStore io = Checkpoints.open(Path.of("golden/image-conv/io.safetensors"));
             TensorStore w = Checkpoints.open(Path.of("golden/image-conv/weights.safetensors"))) {
            Tensor pixels = io.floats("inputs");
            Tensor weight = w.floats(W + "conv.weight"), bnWeight = w.floats(W + "batchnorm.weight");
            Tensor bnBias = w.floats(W + "batchnorm.bias"), mean = w.floats(W + "batchnorm.running_mean");
            Tensor var = w.floats(W + "batchnorm.running_var");
            Tensor conv = ConvOps.conv2dSamePadding(pixels, weight, null, 2);
            assertClose(io.floats("preprocessor.convnet.conv.output"), conv, 1e-5, "image-conv conv.output");
            Tensor bn = ConvOps.batchNormEval(conv, bnWeight, bnBias, mean, var, 1e-5);
            assertClose(io.floats("preprocessor.convnet.batchnorm.output"), bn, 1e-5, "image-conv batchnorm.output");
            assertClose(io.floats("preprocessor.convnet.output"), ConvOps.maxPool2d(ConvOps.relu(bn), 3, 2), 1e-5,
                    "image-conv convnet.output (relu, max-pool)");

            // the composition: conv stem, then [tokens (64), Fourier (56, 56) over the 7x7 grid (258)]
            var stem = new ImagePreprocessor.ConvStem(weight, bnWeight, bnBias, mean, var,
                    new FourierFeatures(64, new int[] {56, 56}, true, false));
            Trace trace = Trace.recording();
            Tensor out = stem.forward(pixels, trace);
            for (String name : new String[] {"conv.output", "batchnorm.output", "output"}) {
                assertClose(io.floats("preprocessor.convnet." + name), trace.tensors().get("preprocessor.convnet." + name),
                        1e-5, "ConvStem convnet." + name);
            }
            assertClose(io.floats("preprocessor.output"), out, 1e-5, "ConvStem preprocessor.output (tokens + pos)");
        }
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
