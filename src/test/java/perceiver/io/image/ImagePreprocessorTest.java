package perceiver.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static perceiver.io.TensorAsserts.assertClose;

import java.util.Random;
import org.junit.jupiter.api.Test;
import perceiver.core.Trace;
import perceiver.nn.Linear;
import perceiver.tensor.Tensor;

class ImagePreprocessorTest {

    /**
     * The conv1x1 preprocessor runs its 1×1 convolution as a linear layer on channels-last tokens and projects the
     * learned positions once, at construction: bitwise what the NCHW convolution, the flattening and a per-pass
     * projection give (one fma chain over the input channels, then the bias, in both).
     */
    @Test
    void conv1x1AsLinearOnTokensEqualsTheConvolution() {
        Random rnd = new Random(7);
        int batch = 2, h = 5, w = 7, cout = 20, posChannels = 12;
        Tensor pixels = random(rnd, batch, 3, h, w), weight = random(rnd, cout, 3, 1, 1), bias = random(rnd, cout);
        Tensor positions = random(rnd, h * w, posChannels);
        Linear projection = Linear.of(random(rnd, posChannels, posChannels), random(rnd, posChannels));

        ImagePreprocessor.Conv1x1 pre = ImagePreprocessor.Conv1x1.of(weight, bias, positions, projection);
        Tensor out = pre.forward(pixels, Trace.OFF);

        Tensor conv = ConvOps.toTokens(ConvOps.conv2d(pixels, weight, bias, 1, new int[4]));
        Tensor projected = projection.forward(positions);
        Tensor expected = Tensor.concatLast(conv, projected.repeat(batch));
        assertArrayEquals(new int[] {batch, h * w, cout + posChannels}, out.shape());
        assertEquals(cout + posChannels, pre.channels());
        assertClose(expected, out, 0, "conv1x1 preprocessor");
        Tensor single = pre.forward(pixels.rows(0, 1), Trace.OFF);
        assertClose(expected.rows(0, 1), single, 0, "batch of one (positions not repeated)");
    }

    private static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rnd.nextGaussian();
        return t;
    }
}
