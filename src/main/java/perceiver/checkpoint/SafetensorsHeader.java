package perceiver.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The parsed and validated JSON header of a safetensors file: every entry has a known dtype, a non-negative shape
 * and a byte range whose length matches shape × dtype size, inside the data section and overlapping no other.
 */
record SafetensorsHeader(Map<String, Entry> entries, Map<String, String> metadata) {
    /** Header lengths above this are refused before anything is allocated. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    static final String METADATA_KEY = "__metadata__";

    /** One tensor: its info and its byte range {@code [begin, end)} relative to the data section. */
    record Entry(TensorInfo info, long begin, long end) {}

    /** Strict JSON: duplicate keys and anything after the top-level object are errors. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    /** Parses {@code header}, the JSON bytes of {@code file}, whose data section holds {@code dataBytes}. */
    static SafetensorsHeader parse(Path file, ByteBuffer header, long dataBytes) {
        JsonNode root = parseJson(file, header);
        if (!root.isObject()) {
            throw new CheckpointException(file + ": safetensors header must be a JSON object, found "
                    + root.getNodeType());
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                Entry e = new EntryParser(file, field.getKey()).parse(field.getValue(), dataBytes);
                entries.put(e.info().name(), e);
            }
        }
        checkOverlaps(file, entries.values());
        return new SafetensorsHeader(entries, metadata);
    }

    /** The tensor infos in header order. */
    Map<String, TensorInfo> infos() {
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        entries.forEach((name, e) -> infos.put(name, e.info()));
        return infos;
    }

    private static JsonNode parseJson(Path file, ByteBuffer header) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(header).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": safetensors header is not valid UTF-8 (bad byte at header offset "
                    + header.position() + ")", e);
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new CheckpointException(file + ": safetensors header is empty, expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new CheckpointException(file + ": '" + METADATA_KEY + "' must be an object of strings, found "
                    + node.getNodeType());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new CheckpointException(file + ": '" + METADATA_KEY + "' value of '" + field.getKey()
                        + "' must be a string, found " + field.getValue().getNodeType() + " " + field.getValue());
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private static void checkOverlaps(Path file, Iterable<Entry> entries) {
        List<Entry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new CheckpointException(file + ": tensor '" + b.info().name() + "' data_offsets [" + b.begin()
                        + ", " + b.end() + "] overlap tensor '" + a.info().name() + "' data_offsets [" + a.begin()
                        + ", " + a.end() + "]");
            }
        }
    }

    /** Validates one tensor entry; messages name the file and the tensor. */
    private record EntryParser(Path file, String name) {
        Entry parse(JsonNode node, long dataBytes) {
            if (!node.isObject()) {
                throw fail("must be an object with dtype, shape, data_offsets, found " + node.getNodeType());
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!ENTRY_FIELDS.contains(field.getKey())) throw fail("has unexpected field '" + field.getKey() + "'");
            }
            DType dtype = dtype(node.get("dtype"));
            int[] shape = shape(node.get("shape"));
            long[] offsets = offsets(node.get("data_offsets"));
            long begin = offsets[0];
            long end = offsets[1];
            if (end < begin) throw fail("has data_offsets [" + begin + ", " + end + "] that end before they begin");
            if (end > dataBytes) {
                throw fail("data_offsets [" + begin + ", " + end + "] exceed the data section of " + dataBytes
                        + " bytes");
            }
            long expected = byteSize(shape, dtype);
            if (end - begin != expected) {
                throw fail("declares shape " + Arrays.toString(shape) + " of " + dtype + " = " + expected
                        + " bytes but data_offsets span " + (end - begin) + " bytes");
            }
            return new Entry(new TensorInfo(name, dtype, shape), begin, end);
        }

        private DType dtype(JsonNode node) {
            if (node == null) throw fail("has no dtype");
            if (!node.isTextual()) throw fail("dtype must be a string, found " + node);
            try {
                return DType.valueOf(node.textValue());
            } catch (IllegalArgumentException e) {
                throw fail("has unknown dtype " + node + ", expected one of " + Arrays.toString(DType.values()));
            }
        }

        private int[] shape(JsonNode node) {
            if (node == null) throw fail("has no shape");
            if (!node.isArray()) throw fail("shape must be an array, found " + node);
            int[] shape = new int[node.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = node.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                    throw fail("shape " + node + " has dimension " + d + " at axis " + i
                            + ", expected an integer in [0, " + Integer.MAX_VALUE + "]");
                }
                shape[i] = d.intValue();
            }
            return shape;
        }

        private long[] offsets(JsonNode node) {
            if (node == null) throw fail("has no data_offsets");
            if (!node.isArray() || node.size() != 2) {
                throw fail("data_offsets must be [begin, end], found " + node);
            }
            long[] offsets = new long[2];
            for (int i = 0; i < 2; i++) {
                JsonNode d = node.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                    throw fail("data_offsets " + node + " must hold two non-negative integers, found " + d);
                }
                offsets[i] = d.longValue();
            }
            return offsets;
        }

        private long byteSize(int[] shape, DType dtype) {
            try {
                long n = dtype.bytes();
                for (int d : shape) n = Math.multiplyExact(n, d);
                return n;
            } catch (ArithmeticException e) {
                throw fail("shape " + Arrays.toString(shape) + " of " + dtype + " exceeds 2^63 bytes");
            }
        }

        private CheckpointException fail(String what) {
            return new CheckpointException(file + ": tensor '" + name + "' " + what);
        }
    }
}
