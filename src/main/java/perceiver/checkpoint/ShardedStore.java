package perceiver.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A checkpoint split over several files by a Hugging Face index ({@code model.safetensors.index.json} or
 * {@code pytorch_model.bin.index.json}): {@code {"metadata": {...}, "weight_map": {tensor: shard file}}}.
 * Validated on open: every shard lies in the index's folder and exists, holds each tensor mapped to it and no tensor
 * the index does not map to it, and no tensor appears in two shards.
 */
public final class ShardedStore extends MappedTensorStore {
    private final Map<String, MappedTensorStore> shards;
    private final Map<String, String> owner;

    private ShardedStore(Path index, Map<String, MappedTensorStore> shards, Map<String, String> owner,
            Map<String, TensorInfo> infos, Map<String, String> metadata) {
        super(index, shards.values().iterator().next().format() + " (" + shards.size()
                + (shards.size() == 1 ? " shard)" : " shards)"), infos, metadata);
        this.shards = shards;
        this.owner = owner;
    }

    /** Opens the index and all its shards. */
    public static ShardedStore open(Path index) {
        JsonNode root = readIndex(index);
        Map<String, String> weightMap = weightMap(index, root.get("weight_map"));
        Map<String, String> metadata = metadata(index, root.get("metadata"));
        Map<String, MappedTensorStore> shards = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (!shards.containsKey(e.getValue())) {
                    shards.put(e.getValue(), openShard(index, e.getKey(), e.getValue()));
                }
            }
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            Map<String, String> owner = new LinkedHashMap<>();
            for (Map.Entry<String, MappedTensorStore> shard : shards.entrySet()) {
                for (String name : shard.getValue().names()) {
                    checkOwner(index, name, shard.getKey(), owner.get(name), weightMap.get(name));
                    owner.put(name, shard.getKey());
                    infos.put(name, shard.getValue().info(name));
                }
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (!owner.containsKey(e.getKey())) {
                    throw new CheckpointException(index + ": tensor '" + e.getKey() + "' is mapped to shard '"
                            + e.getValue() + "', which does not hold it");
                }
            }
            return new ShardedStore(index, shards, owner, infos, metadata);
        } catch (RuntimeException e) {
            shards.values().forEach(MappedTensorStore::close);
            throw e;
        }
    }

    private static void checkOwner(Path index, String name, String shard, String earlier, String mapped) {
        if (earlier != null) {
            throw new CheckpointException(index + ": tensor '" + name + "' appears in two shards, '" + earlier
                    + "' and '" + shard + "'");
        }
        if (!shard.equals(mapped)) {
            throw new CheckpointException(index + ": shard '" + shard + "' holds tensor '" + name
                    + "', which the index "
                    + (mapped == null ? "does not list" : "maps to shard '" + mapped + "'"));
        }
    }

    private static JsonNode readIndex(Path index) {
        try {
            JsonNode root = SafetensorsHeader.JSON.readTree(Files.readAllBytes(index));
            if (root == null || !root.isObject()) {
                throw new CheckpointException(index + ": shard index must be a JSON object with a weight_map");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw new CheckpointException(index + ": no such file");
        } catch (JsonProcessingException e) {
            throw new CheckpointException(index + ": shard index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> weightMap(Path index, JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw new CheckpointException(index + ": shard index needs a non-empty \"weight_map\" object, found "
                    + (node == null ? "none" : node.getNodeType()));
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(index + ": weight_map value of tensor '" + e.getKey()
                        + "' must be a shard file name, found " + e.getValue());
            }
            map.put(e.getKey(), e.getValue().textValue());
        }
        return map;
    }

    /** The index's metadata; numbers and other non-string values (e.g. {@code total_size}) as their JSON text. */
    private static Map<String, String> metadata(Path index, JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node == null || node.isNull()) return metadata;
        if (!node.isObject()) {
            throw new CheckpointException(index + ": shard index \"metadata\" must be an object, found "
                    + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            metadata.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
        }
        return metadata;
    }

    private static MappedTensorStore openShard(Path index, String tensor, String shard) {
        Path folder = index.toAbsolutePath().getParent();
        Path file = folder.resolve(shard).normalize();
        if (!file.getParent().equals(folder.normalize())) {
            throw new CheckpointException(index + ": tensor '" + tensor + "' is mapped to shard '" + shard
                    + "', which is not a file name in the index's folder " + folder);
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(index + ": tensor '" + tensor + "' is mapped to shard '" + shard
                    + "', which does not exist (looked for " + file + ")");
        }
        return Checkpoints.openSingle(file);
    }

    @Override
    StoredTensor locate(TensorInfo info) {
        return shards.get(owner.get(info.name())).locate(info);
    }

    @Override
    public void close() { shards.values().forEach(MappedTensorStore::close); }
}
