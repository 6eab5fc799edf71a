package perceiver.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static perceiver.io.TensorAsserts.assertClose;
import static perceiver.nn.Fixtures.linear;
import static perceiver.nn.Fixtures.linearWithoutBias;
import static perceiver.nn.Fixtures.random;

import java.util.Random;
import org.junit.jupiter.api.Test;
import perceiver.tensor.Tensor;

class LinearTest {

    /** Two layers composed into one equal them applied in turn, up to rounding, with and without a first bias. */
    @Test
    void composedLayerEqualsBothInTurn() {
        Random rnd = new Random(10);
        for (boolean firstBias : new boolean[] {true, false}) {
            Linear first = firstBias ? linear(rnd, 30, 20) : linearWithoutBias(rnd, 30, 20);
            Linear second = linear(rnd, 20, 7);
            Tensor x = random(rnd, 2, 5, 30);
            Tensor expected = second.forward(first.forward(x));
            double scale = 0;
            for (float v : expected.toArray()) scale = Math.max(scale, Math.abs(v));
            assertClose(expected, first.then(second).forward(x), 2e-6 * scale, "first bias " + firstBias);
        }
    }

    @Test
    void composingMismatchedWidthsIsRejected() {
        Random rnd = new Random(11);
        assertThrows(IllegalArgumentException.class, () -> linear(rnd, 4, 5).then(linear(rnd, 6, 2)));
    }
}
