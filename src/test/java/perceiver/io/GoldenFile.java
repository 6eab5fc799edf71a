package perceiver.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import perceiver.tensor.Tensor;

/**
 * Test-only reader of F32 / I64 tensors in a safetensors file (layout in golden/README.md "File format"). Stands in
 * for the project's real safetensors reader until the branches are merged.
 */
public final class GoldenFile {
    private final Path file;
    private final JsonNode header;
    private final ByteBuffer data;

    private GoldenFile(Path file) throws IOException {
        this.file = file;
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(buf.getLong(0));
        header = new ObjectMapper().readTree(new String(bytes, 8, n, java.nio.charset.StandardCharsets.UTF_8));
        data = buf.slice(8 + n, bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Opens {@code golden/<relative>} of the working tree. */
    public static GoldenFile open(String relative) {
        try {
            return new GoldenFile(Path.of("golden").resolve(relative));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read golden file " + relative + ": " + e.getMessage(), e);
        }
    }

    public boolean has(String name) { return header.has(name); }

    public int[] shape(String name) {
        JsonNode s = entry(name).get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asInt();
        return shape;
    }

    /** An F32 tensor. */
    public Tensor f32(String name) {
        JsonNode e = entry(name);
        if (!"F32".equals(e.get("dtype").asText())) throw new IllegalArgumentException(name + " is not F32");
        int begin = e.get("data_offsets").get(0).asInt();
        int[] shape = shape(name);
        float[] out = new float[Math.toIntExact(Tensor.count(shape))];
        data.slice(begin, out.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return Tensor.of(out, shape);
    }

    /** An I64 tensor, flattened. */
    public long[] i64(String name) {
        JsonNode e = entry(name);
        if (!"I64".equals(e.get("dtype").asText())) throw new IllegalArgumentException(name + " is not I64");
        int begin = e.get("data_offsets").get(0).asInt();
        long[] out = new long[Math.toIntExact(Tensor.count(shape(name)))];
        data.slice(begin, out.length * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    private JsonNode entry(String name) {
        JsonNode e = header.get(name);
        if (e == null) throw new IllegalArgumentException(file + " has no tensor " + name);
        return e;
    }
}
