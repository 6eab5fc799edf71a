package perceiver.benchmark;

import java.util.LinkedHashMap;
import java.util.Map;

import perceiver.models.Parameters;
import perceiver.tensor.Tensor;

/**
 * Random weights for a benchmark ({@link Parameters#random}), with BatchNorm running variances made positive so that
 * the conv stem computes finite values; optionally kept by key, to be saved for the PyTorch peer.
 */
final class BenchWeights extends Parameters {
    private final Parameters random;
    private final Map<String, Tensor> kept;

    BenchWeights(long seed, boolean keep) {
        random = Parameters.random(seed);
        kept = keep ? new LinkedHashMap<>() : null;
    }

    @Override
    protected Tensor load(String key, int[] shape) {
        Tensor t = random.get(key, shape);
        if (key.endsWith("running_var")) {
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) d[i] = 0.5f + Math.abs(d[i]);
        }
        if (kept != null) kept.put(key, t);
        return t;
    }

    /** The weights handed out, by key (empty unless kept). */
    Map<String, Tensor> kept() { return kept == null ? Map.of() : kept; }
}
