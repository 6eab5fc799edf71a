package perceiver.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import perceiver.tensor.Tensor;

/**
 * TEST ONLY: a state dict of given keys and shapes whose values are made on demand, so a full-size checkpoint can
 * be written one tensor at a time without holding it. Float tensors are F32, uniform in [-0.5, 0.5) from a seed
 * per key (the same values on every call); keys ending in {@code num_batches_tracked} are I64 zeros.
 */
final class RandomStore implements TensorStore {
    private final Path source;
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();

    RandomStore(String name, Map<String, int[]> shapes) {
        this.source = Path.of(name + " (random)");
        shapes.forEach((key, shape) -> infos.put(key, new TensorInfo(key,
                key.endsWith("num_batches_tracked") ? DType.I64 : DType.F32, shape.clone())));
    }

    @Override
    public Path source() { return source; }

    @Override
    public String format() { return "random"; }

    @Override
    public List<String> names() { return new ArrayList<>(infos.keySet()); }

    @Override
    public boolean contains(String name) { return infos.containsKey(name); }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) throw new CheckpointException(source + ": no tensor '" + name + "'");
        return info;
    }

    @Override
    public Tensor floats(String name) {
        TensorInfo info = info(name);
        float[] values = new float[Math.toIntExact(info.elements())];
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int i = 0; i < values.length; i++) values[i] = (random.nextInt() >> 8) * 0x1p-24f;
        return Tensor.of(values, info.shape());
    }

    @Override
    public long[] longs(String name) { return new long[Math.toIntExact(info(name).elements())]; }

    @Override
    public Map<String, String> metadata() { return Map.of(); }

    @Override
    public void close() {}
}
