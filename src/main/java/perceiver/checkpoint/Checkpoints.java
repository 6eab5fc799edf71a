package perceiver.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;

/** Opens a checkpoint file with the reader its name and content call for. */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * Opens {@code path}: a shard index (a name ending in {@code .index.json}, e.g.
     * {@code model.safetensors.index.json}), or a single file recognised by its content: safetensors (a
     * little-endian header length followed by {@code '{'}) or a PyTorch zip state dict ({@code PK\3\4}).
     *
     * @throws CheckpointException for a missing file, an unknown format, or a file its reader rejects
     */
    public static TensorStore open(Path path) {
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".index.json")) {
            return ShardedStore.open(path);
        }
        return openSingle(path);
    }

    /** Opens one checkpoint file (not an index) by its content. */
    static MappedTensorStore openSingle(Path path) {
        byte[] head = head(path);
        if (looksLikeSafetensors(head)) return SafetensorsReader.open(path);
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return PyTorchReader.open(path);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
            throw new CheckpointException(path + ": a bare pickle (PyTorch's legacy format from before 1.6, or"
                    + " _use_new_zipfile_serialization=False) is not supported; re-save it with torch.save in a"
                    + " current PyTorch, or convert it to safetensors");
        }
        throw new CheckpointException(path + ": unknown checkpoint format (expected safetensors, a PyTorch zip"
                + " .bin/.pt, or a *.index.json shard index); it begins with bytes "
                + HexFormat.ofDelimiter(" ").formatHex(head));
    }

    /** Counts of a store's content, for a summary such as {@code perceiver info}. */
    public static CheckpointSummary describe(TensorStore store) {
        Map<DType, Integer> dtypes = new EnumMap<>(DType.class);
        long elements = 0;
        long bytes = 0;
        for (String name : store.names()) {
            TensorInfo info = store.info(name);
            dtypes.merge(info.dtype(), 1, Integer::sum);
            elements += info.elements();
            bytes += info.elements() * info.dtype().bytes();
        }
        return new CheckpointSummary(store.source(), store.format(), store.names().size(), dtypes, elements, bytes,
                store.metadata());
    }

    /**
     * Writes every tensor of {@code store} to one safetensors file at {@code out}, in the store's order, with its
     * metadata (plus {@code format=pt}, which Hugging Face loaders expect, when the store has no {@code format}).
     * With {@code keepDtypes} each tensor keeps its dtype; otherwise float tensors become F32 and integer tensors
     * keep theirs. Tensors are read and written one at a time.
     */
    public static void convert(TensorStore store, Path out, boolean keepDtypes) {
        SafetensorsWriter w = SafetensorsWriter.create();
        store.metadata().forEach(w::metadata);
        if (!store.metadata().containsKey("format")) w.metadata("format", "pt");
        for (String name : store.names()) {
            DType dtype = store.info(name).dtype();
            w.copy(store, name, keepDtypes || !dtype.isFloat() ? dtype : DType.F32);
        }
        w.write(out);
    }

    private static boolean looksLikeSafetensors(byte[] head) {
        return head.length > 8 && head[8] == '{' && head[6] == 0 && head[7] == 0;
    }

    /** The first 16 bytes of the file (fewer if it is shorter). */
    private static byte[] head(Path path) {
        if (Files.isDirectory(path)) {
            throw new CheckpointException(path + ": is a directory, expected a checkpoint file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(16);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path + ": no such file");
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
        }
    }
}
