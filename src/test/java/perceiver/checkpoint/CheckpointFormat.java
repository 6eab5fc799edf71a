package perceiver.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * TEST ONLY: the checkpoint layouts published models come in, written from any {@link TensorStore} under their
 * Hugging Face file names, one tensor at a time (the store is read while writing, nothing is held).
 */
public enum CheckpointFormat {
    /** One {@code model.safetensors}, dtypes kept. */
    SAFETENSORS("safetensors"),
    /** {@code model-0000k-of-00003.safetensors} (consecutive thirds of the tensors) and their index. */
    SHARDED("safetensors (" + CheckpointFormat.SHARDS + " shards)"),
    /** One {@code model.safetensors} with every float tensor as F16 (round to nearest even), integers kept. */
    F16("safetensors"),
    /** {@code pytorch_model.bin} as {@code torch.save} writes it ({@link TorchZipWriter}). */
    PYTORCH("pytorch zip");

    static final int SHARDS = 3;

    private final String storeFormat;

    CheckpointFormat(String storeFormat) { this.storeFormat = storeFormat; }

    /** {@link TensorStore#format()} of the written checkpoint when opened. */
    public String storeFormat() { return storeFormat; }

    /** Writes {@code store} into folder {@code dir}; returns the file to open (the index for {@link #SHARDED}). */
    public Path write(TensorStore store, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot create: " + e.getMessage(), e);
        }
        return switch (this) {
            case SAFETENSORS -> safetensors(store, store.names(), false, dir.resolve("model.safetensors"));
            case F16 -> safetensors(store, store.names(), true, dir.resolve("model.safetensors"));
            case SHARDED -> sharded(store, dir);
            case PYTORCH -> {
                Path bin = dir.resolve("pytorch_model.bin");
                TorchZipWriter.write(store, bin);
                yield bin;
            }
        };
    }

    private static Path safetensors(TensorStore store, List<String> names, boolean half, Path file) {
        SafetensorsWriter w = SafetensorsWriter.create().metadata("format", "pt");
        for (String name : names) {
            DType dtype = store.info(name).dtype();
            w.copy(store, name, half && dtype.isFloat() ? DType.F16 : dtype);
        }
        w.write(file);
        return file;
    }

    private static Path sharded(TensorStore store, Path dir) {
        List<String> names = store.names();
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        ObjectNode metadata = root.putObject("metadata");
        ObjectNode weightMap = root.putObject("weight_map");
        long bytes = 0;
        for (int s = 0; s < SHARDS; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, SHARDS);
            List<String> part = names.subList(s * names.size() / SHARDS, (s + 1) * names.size() / SHARDS);
            safetensors(store, part, false, dir.resolve(file));
            for (String name : part) {
                weightMap.put(name, file);
                bytes += store.info(name).elements() * store.info(name).dtype().bytes();
            }
        }
        metadata.put("total_size", bytes);
        Path index = dir.resolve("model.safetensors.index.json");
        try {
            return Files.writeString(index, root.toPrettyString());
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot write: " + e.getMessage(), e);
        }
    }
}
