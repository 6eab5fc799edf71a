package perceiver.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a checkpoint holds, from {@link Checkpoints#describe}: its source and format, the number of tensors, how
 * many tensors of each dtype, the total number of stored elements (parameters and buffers alike, e.g. BatchNorm
 * running statistics) and of data bytes, and its metadata.
 */
public record CheckpointSummary(Path source, String format, int tensors, Map<DType, Integer> dtypeCounts,
        long elements, long bytes, Map<String, String> metadata) {
    /** Keeps read-only copies, dtypes in {@link DType} order and metadata in its own order. */
    public CheckpointSummary {
        Map<DType, Integer> counts = new EnumMap<>(DType.class);
        counts.putAll(dtypeCounts);
        dtypeCounts = Collections.unmodifiableMap(counts);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
