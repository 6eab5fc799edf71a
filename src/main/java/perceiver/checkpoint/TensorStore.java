package perceiver.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import perceiver.tensor.Tensor;

/**
 * Named tensors read from a checkpoint file (or a set of shards). Implementations validate the file before
 * trusting it and may memory-map it; {@link #close} releases the mapping.
 */
public interface TensorStore extends AutoCloseable {
    /** The file (or index file) the tensors come from, for messages. */
    Path source();

    /** A short name of the format read, e.g. {@code safetensors}, {@code safetensors (3 shards)}, {@code pytorch zip}. */
    String format();

    /** Tensor names in file order. */
    List<String> names();

    /** @throws CheckpointException if there is no such tensor */
    TensorInfo info(String name);

    default boolean contains(String name) { return names().contains(name); }

    /** The tensor as float32 (F16, BF16 and F64 widened or narrowed); a fresh heap copy. */
    Tensor floats(String name);

    /** An integer tensor as longs (I64, I32, I16, I8, U8, BOOL). */
    long[] longs(String name);

    /** Free-form string metadata ({@code __metadata__} in safetensors); empty when the format has none. */
    Map<String, String> metadata();

    @Override
    void close();
}
