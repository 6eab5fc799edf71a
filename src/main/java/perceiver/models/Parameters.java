package perceiver.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import perceiver.checkpoint.CheckpointException;
import perceiver.checkpoint.TensorInfo;
import perceiver.checkpoint.TensorStore;
import perceiver.tensor.Tensor;

/**
 * Where a model's weights come from while it is built: each module asks for its tensors by checkpoint key and
 * expected shape. Every request is recorded ({@link #requested}), so building an architecture also lists its keys
 * and shapes. {@link #fromStore} checks a checkpoint and reports every missing, misshapen or unexpected key at
 * once ({@link #finish}); {@link #spec} and {@link #random} build without a checkpoint.
 */
public abstract class Parameters {
    private final Map<String, int[]> requested = new LinkedHashMap<>();

    /** The tensor stored under {@code key}, which must have exactly {@code shape}. */
    public final Tensor get(String key, int... shape) {
        if (requested.put(key, shape.clone()) != null) {
            throw new IllegalStateException("parameter '" + key + "' requested twice");
        }
        return load(key, shape);
    }

    /**
     * Declares a stored non-parameter entry of shape {@code []} (BatchNorm's {@code num_batches_tracked}) as known
     * and unused; it is listed among the requested keys.
     */
    public final void ignore(String key) {
        requested.put(key, new int[0]);
    }

    protected abstract Tensor load(String key, int[] shape);

    /** Keys and shapes requested so far, in order. */
    public Map<String, int[]> requested() { return requested; }

    public long parameterCount() {
        return requested.values().stream().mapToLong(Tensor::count).sum();
    }

    /** Throws one {@link CheckpointException} listing every problem found, if any. */
    public void finish() {}

    /** Weights from a checkpoint; shapes and key sets are checked. */
    public static Parameters fromStore(TensorStore store) { return new FromStore(store); }

    /** Zero weights: enough to list keys and shapes or to count parameters. */
    public static Parameters spec() {
        return new Parameters() {
            @Override protected Tensor load(String key, int[] shape) { return Tensor.zeros(shape); }
        };
    }

    /** Random weights (N(0, 1/fan_in) for matrices, small values for vectors), for benchmarks without a download. */
    public static Parameters random(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Parameters() {
            @Override protected Tensor load(String key, int[] shape) {
                Tensor t = Tensor.zeros(shape);
                double std = shape.length >= 2 ? 1 / Math.sqrt(shape[shape.length - 1]) : 0.1;
                float[] d = t.data();
                for (int i = 0; i < d.length; i++) d[i] = (float) (nextGaussian(rng) * std);
                return t;
            }
        };
    }

    private static double nextGaussian(SplittableRandom rng) {
        double u = rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static final class FromStore extends Parameters {
        private final TensorStore store;
        private final List<String> problems = new ArrayList<>();

        FromStore(TensorStore store) { this.store = store; }

        @Override
        protected Tensor load(String key, int[] shape) {
            if (!store.contains(key)) {
                problems.add("missing key '" + key + "' (expected shape " + Arrays.toString(shape) + ")");
                return Tensor.zeros(shape);
            }
            TensorInfo info = store.info(key);
            if (!Arrays.equals(info.shape(), shape)) {
                problems.add("key '" + key + "' has shape " + info.shapeString() + ", expected " + Arrays.toString(shape));
                return Tensor.zeros(shape);
            }
            if (!info.dtype().isFloat()) {
                problems.add("key '" + key + "' has dtype " + info.dtype() + ", expected a float type");
                return Tensor.zeros(shape);
            }
            return store.floats(key);
        }

        @Override
        public void finish() {
            for (String name : store.names()) {
                if (!requested().containsKey(name)) {
                    problems.add("unexpected key '" + name + "' " + store.info(name).shapeString());
                }
            }
            if (!problems.isEmpty()) {
                throw new CheckpointException(store.source() + ": " + problems.size()
                        + " problem(s) binding weights:\n  " + String.join("\n  ", problems));
            }
        }
    }
}
