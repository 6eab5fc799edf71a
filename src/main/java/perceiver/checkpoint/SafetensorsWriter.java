package perceiver.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import perceiver.tensor.Tensor;

/**
 * Builds a safetensors file: {@code __metadata__} first (when there is any), then the tensors in the order they were
 * added, packed without gaps, the JSON header padded with spaces so that 8 + N is a multiple of 8.
 *
 * <pre>{@code
 * SafetensorsWriter.create()
 *         .add("w", weights)                       // F32
 *         .add("w16", weights, DType.F16)          // rounded to nearest even
 *         .addLongs("ids", ids, 2, 7)              // I64 of shape [2, 7]
 *         .metadata("format", "pt")
 *         .write(path);
 * }</pre>
 */
public final class SafetensorsWriter {
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsWriter() {}

    /** An empty writer. */
    public static SafetensorsWriter create() { return new SafetensorsWriter(); }

    /** Adds a float tensor stored as F32. */
    public SafetensorsWriter add(String name, Tensor tensor) { return add(name, tensor, DType.F32); }

    /** Adds a float tensor stored as {@code dtype} (F64, F32, F16 or BF16; the last two round to nearest even). */
    public SafetensorsWriter add(String name, Tensor tensor, DType dtype) {
        requireKind(name, dtype, true);
        TensorInfo info = new TensorInfo(name, dtype, tensor.shape());
        ByteBuffer bytes = encode(info, tensor);
        return put(info, bytes::duplicate);
    }

    /** Adds an I64 tensor of the given shape. */
    public SafetensorsWriter addLongs(String name, long[] values, int... shape) {
        return addLongs(name, values, DType.I64, shape);
    }

    /** Adds an integer tensor stored as {@code dtype} (I64, I32, I16, I8, U8 or BOOL). */
    public SafetensorsWriter addLongs(String name, long[] values, DType dtype, int... shape) {
        requireKind(name, dtype, false);
        if (Tensor.count(shape) != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape of " + Tensor.count(shape)
                    + " elements for " + values.length + " values");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape.clone());
        ByteBuffer bytes = encode(info, values);
        return put(info, bytes::duplicate);
    }

    /** {@link #copy(TensorStore, String, DType)} keeping the stored dtype. */
    public SafetensorsWriter copy(TensorStore store, String name) {
        return copy(store, name, store.info(name).dtype());
    }

    /**
     * Adds tensor {@code name} of {@code store} under the same name and shape, stored as {@code dtype} (of the same
     * kind, float or integer, as the stored one). The values are read from the store only by {@link #write}, one
     * tensor at a time. They pass through {@link TensorStore#floats} or {@link TensorStore#longs}, so an F64 tensor
     * keeps only float32 precision.
     */
    public SafetensorsWriter copy(TensorStore store, String name, DType dtype) {
        TensorInfo stored = store.info(name);
        requireKind(name, dtype, stored.dtype().isFloat());
        TensorInfo info = new TensorInfo(name, dtype, stored.shape());
        return put(info, dtype.isFloat() ? () -> encode(info, store.floats(name))
                : () -> encode(info, store.longs(name)));
    }

    /** Adds a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Writes the file (through a temporary file in the same folder, then moved over {@code path}). */
    public void write(Path path) {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(out, header());
                for (Item item : items.values()) writeAll(out, item.bytes().get());
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot write: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private ByteBuffer header() {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Item item : items.values()) {
            TensorInfo info = item.info();
            long end = offset + byteSize(info);
            ObjectNode entry = root.putObject(info.name());
            entry.put("dtype", info.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : info.shape()) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.hasRemaining()) b.put((byte) ' ');
        return b.flip();
    }

    private static ByteBuffer encode(TensorInfo info, Tensor tensor) {
        ByteBuffer b = allocate(info);
        float[] data = tensor.data();
        for (int i = tensor.offset(); i < tensor.offset() + tensor.size(); i++) {
            ElementCodec.putFloat(b, info.dtype(), data[i]);
        }
        return b.flip();
    }

    private static ByteBuffer encode(TensorInfo info, long[] values) {
        ByteBuffer b = allocate(info);
        for (long v : values) ElementCodec.putLong(b, info.dtype(), v);
        return b.flip();
    }

    private static ByteBuffer allocate(TensorInfo info) {
        return ByteBuffer.allocate(Math.toIntExact(byteSize(info))).order(ByteOrder.LITTLE_ENDIAN);
    }

    private SafetensorsWriter put(TensorInfo info, Supplier<ByteBuffer> bytes) {
        String name = info.name();
        if (name.equals(SafetensorsHeader.METADATA_KEY) || items.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already added");
        }
        items.put(name, new Item(info, bytes));
        return this;
    }

    private static void requireKind(String name, DType dtype, boolean floating) {
        if (dtype.isFloat() != floating) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is not "
                    + (floating ? "a float" : "an integer") + " dtype");
        }
    }

    private static long byteSize(TensorInfo info) { return info.elements() * info.dtype().bytes(); }

    private static void writeAll(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the move succeeded or the write already failed with a better message
        }
    }

    /** A tensor's info and a source of its encoded bytes (a buffer from position 0 to its end). */
    private record Item(TensorInfo info, Supplier<ByteBuffer> bytes) {}
}
