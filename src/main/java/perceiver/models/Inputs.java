package perceiver.models;

import java.util.LinkedHashMap;
import java.util.Map;

import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Named inputs of a forward pass, under the reference implementation's argument names: {@code inputs} or
 * {@code inputs.<modality>} (floats or token ids), {@code attention_mask}, {@code subsampled_output_points.<modality>}.
 */
public final class Inputs {
    private final Map<String, Tensor> floats = new LinkedHashMap<>();
    private final Map<String, LongTensor> longs = new LinkedHashMap<>();

    public Inputs put(String name, Tensor t) {
        floats.put(name, t);
        return this;
    }

    public Inputs put(String name, LongTensor t) {
        longs.put(name, t);
        return this;
    }

    public boolean has(String name) { return floats.containsKey(name) || longs.containsKey(name); }

    public Tensor tensor(String name) {
        Tensor t = floats.get(name);
        if (t == null) throw new IllegalArgumentException("missing float input '" + name + "'" + hint(name));
        return t;
    }

    public LongTensor longs(String name) {
        LongTensor t = longs.get(name);
        if (t == null) throw new IllegalArgumentException("missing integer input '" + name + "'" + hint(name));
        return t;
    }

    /** The integer input, or null if absent. */
    public LongTensor optionalLongs(String name) { return longs.get(name); }

    private String hint(String name) {
        return floats.containsKey(name) || longs.containsKey(name) ? " (present with another element type)" : "";
    }
}
