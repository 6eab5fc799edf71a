package perceiver.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static perceiver.io.TensorAsserts.assertClose;
import static perceiver.nn.Fixtures.linear;
import static perceiver.nn.Fixtures.linearWithoutBias;
import static perceiver.nn.Fixtures.random;

import java.util.Random;
import org.junit.jupiter.api.Test;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.Tensor;

class AttentionLayerTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    /**
     * A decoder's final layer P moved into the cross-attention's MLP equals applying it after the layer, up to
     * rounding: with and without the query residual, with and without the MLP's output bias, one and two heads.
     */
    @Test
    void projectionMovedIntoTheMlpEqualsProjectingTheOutput() {
        Random rnd = new Random(8);
        int n = 40, m = 12, c = 20, ckv = 14, hidden = 40, f = 6;
        for (boolean residual : new boolean[] {true, false}) {
            for (boolean mlpBias : new boolean[] {true, false}) {
                for (int heads : new int[] {1, 2}) {
                    AttentionLayer layer = layer(rnd, c, ckv, hidden, heads, residual, mlpBias);
                    Linear p = linear(rnd, c, f);
                    AttentionLayer.Projected projected = layer.project(p);
                    assertNotNull(projected);
                    Tensor x = random(rnd, 1, n, c), latents = random(rnd, 1, m, ckv);
                    Attention.Memory<Tensor> memory = layer.memory(CPU, latents, n);
                    Tensor expected = p.forward(layer.forward(CPU, x, memory, null));
                    double scale = 0;
                    for (float v : expected.toArray()) scale = Math.max(scale, Math.abs(v));
                    assertClose(expected, layer.forwardProjected(CPU, x, memory, projected), 2e-6 * scale,
                            "residual " + residual + ", MLP bias " + mlpBias + ", heads " + heads);
                }
            }
        }
    }

    /** A projection at least as wide as the layer is cheaper applied after it. */
    @Test
    void projectionAsWideAsTheLayerStaysAfterIt() {
        Random rnd = new Random(9);
        AttentionLayer layer = layer(rnd, 8, 8, 16, 1, true, true);
        assertNull(layer.project(linear(rnd, 8, 8)));
        assertNull(layer.project(linear(rnd, 8, 12)));
        assertNotNull(layer.project(linear(rnd, 8, 7)));
    }

    private static AttentionLayer layer(Random rnd, int c, int ckv, int hidden, int heads, boolean residual,
                                        boolean mlpBias) {
        Attention attention = new Attention(linear(rnd, c, 8), linear(rnd, ckv, 8), linear(rnd, ckv, 10),
                linear(rnd, 10, c), heads);
        Linear dense2 = mlpBias ? linear(rnd, hidden, c) : linearWithoutBias(rnd, hidden, c);
        return new AttentionLayer(norm(rnd, c), norm(rnd, ckv), attention, residual, norm(rnd, c),
                new Mlp(linear(rnd, c, hidden), dense2));
    }

    private static LayerNorm norm(Random rnd, int c) {
        return new LayerNorm(random(rnd, c), random(rnd, c), 1e-5f);
    }
}
