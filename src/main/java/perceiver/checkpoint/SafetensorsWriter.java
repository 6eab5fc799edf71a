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
        ByteBuffer bytes = allocate(info);
        float[] data = tensor.data();
        for (int i = tensor.offset(); i < tensor.offset() + tensor.size(); i++) {
            ElementCodec.putFloat(bytes, dtype, data[i]);
        }
        return put(info, bytes);
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
        ByteBuffer bytes = allocate(info);
        for (long v : values) ElementCodec.putLong(bytes, dtype, v);
        return put(info, bytes);
    }

    /**
     * Adds tensor {@code name} of {@code store} under the same name, dtype and shape. Values pass through
     * {@link TensorStore#floats} or {@link TensorStore#longs}, so every dtype is copied exactly except F64, which
     * keeps only float32 precision.
     */
    public SafetensorsWriter copy(TensorStore store, String name) {
        TensorInfo info = store.info(name);
        return info.dtype().isFloat() ? add(name, store.floats(name), info.dtype())
                : addLongs(name, store.longs(name), info.dtype(), info.shape());
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
                for (Item item : items.values()) writeAll(out, item.bytes().duplicate().flip());
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

    private static ByteBuffer allocate(TensorInfo info) {
        return ByteBuffer.allocate(Math.toIntExact(byteSize(info))).order(ByteOrder.LITTLE_ENDIAN);
    }

    private SafetensorsWriter put(TensorInfo info, ByteBuffer bytes) {
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

    /** A tensor's info and its encoded bytes (the buffer is full: position = limit = capacity). */
    private record Item(TensorInfo info, ByteBuffer bytes) {}
}
