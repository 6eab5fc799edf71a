package perceiver.nn;

import java.util.Random;
import perceiver.tensor.Tensor;

/** Random layers and arrays for the nn tests. */
final class Fixtures {
    private Fixtures() {}

    /** {@code [in → out]} with Gaussian weights scaled by 1/√in (unit-scale outputs) and a Gaussian bias. */
    static Linear linear(Random rnd, int in, int out) {
        return Linear.of(weight(rnd, in, out), random(rnd, out));
    }

    /** As {@link #linear}, without a bias. */
    static Linear linearWithoutBias(Random rnd, int in, int out) {
        return Linear.of(weight(rnd, in, out), null);
    }

    private static Tensor weight(Random rnd, int in, int out) {
        Tensor w = random(rnd, out, in);
        for (int i = 0; i < w.size(); i++) w.data()[i] /= (float) Math.sqrt(in);
        return w;
    }

    static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rnd.nextGaussian();
        return t;
    }
}
