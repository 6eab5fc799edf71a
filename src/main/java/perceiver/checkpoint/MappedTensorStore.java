package perceiver.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import perceiver.tensor.Tensor;

/**
 * The common part of the stores: a validated table of tensor infos in file order, string metadata, and conversion
 * of each tensor's {@link StoredTensor} location to float32 or long arrays.
 */
abstract class MappedTensorStore implements TensorStore {
    private final Path source;
    private final String format;
    private final Map<String, TensorInfo> infos;
    private final Map<String, String> metadata;

    MappedTensorStore(Path source, String format, Map<String, TensorInfo> infos, Map<String, String> metadata) {
        this.source = source;
        this.format = format;
        this.infos = Collections.unmodifiableMap(new LinkedHashMap<>(infos));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Where the elements of a tensor of this store lie. */
    abstract StoredTensor locate(TensorInfo info);

    @Override
    public Path source() { return source; }

    @Override
    public String format() { return format; }

    @Override
    public List<String> names() { return List.copyOf(infos.keySet()); }

    @Override
    public boolean contains(String name) { return infos.containsKey(name); }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new CheckpointException(source + ": no tensor '" + name + "' (the " + format + " file has "
                    + infos.size() + " tensors)");
        }
        return info;
    }

    @Override
    public Tensor floats(String name) {
        TensorInfo info = info(name);
        return Tensor.of(locate(info).floats(), info.shape());
    }

    @Override
    public long[] longs(String name) {
        return locate(info(name)).longs();
    }

    @Override
    public Map<String, String> metadata() { return metadata; }
}
