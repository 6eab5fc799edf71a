package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import perceiver.tensor.Tensor;

class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private String failure(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), () -> "'" + p + "' missing in: " + message);
    }

    private String failure(String header, int dataBytes) throws IOException {
        return failure(RawSafetensors.write(dir.resolve("bad.safetensors"), header, dataBytes));
    }

    @Test
    void shorterThanTheLengthField() throws IOException {
        Path f = Files.write(dir.resolve("tiny.safetensors"), new byte[5]);
        assertMentions(failure(f), "5 bytes", "8-byte");
    }

    @Test
    void truncatedFile() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.create().add("a", Tensor.zeros(4)).add("b", Tensor.zeros(2, 3)).write(good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(bytes, bytes.length - 10));
        assertMentions(failure(cut), "tensor 'b'", "[16, 40]", "data section of 30 bytes");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Path f = Files.write(dir.resolve("long.safetensors"), b.array());
        assertMentions(failure(f), "header length 1000", "32 bytes", "40 bytes");
    }

    @Test
    void headerLengthAboveLimit() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(120_000_000); // sparse
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(110_000_000).array());
        }
        assertMentions(failure(f), "header length 110000000", "limit of 100000000");
    }

    @Test
    void negativeHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
        Path f = Files.write(dir.resolve("neg.safetensors"), b.array());
        assertMentions(failure(f), "header length 18446744073709551615", "8 bytes");
    }

    @Test
    void invalidJson() throws IOException {
        assertMentions(failure("{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON", "line 1");
    }

    @Test
    void trailingGarbageAfterObject() throws IOException {
        assertMentions(failure("{} x", 0), "not valid JSON");
    }

    @Test
    void notUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        assertMentions(failure(RawSafetensors.write(dir.resolve("latin.safetensors"), header, 0)),
                "not valid UTF-8", "offset 2");
    }

    @Test
    void notAnObject() throws IOException {
        assertMentions(failure("[1, 2]", 0), "JSON object", "ARRAY");
    }

    @Test
    void duplicateKey() throws IOException {
        String e = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertMentions(failure("{\"w\":" + e + ",\"w\":" + e + "}", 4), "not valid JSON", "'w'");
    }

    /** Header of one tensor 'a' with the given JSON values. */
    private static String single(String dtype, String shape, String offsets) {
        return "{\"a\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    static Stream<Arguments> badEntries() {
        return Stream.of(
                Arguments.of("\"F8\"", "[2]", "[0,2]", 2, List.of("unknown dtype \"F8\"", "BF16")),
                Arguments.of("\"F32\"", "[4]", "[8,24]", 16, List.of("[8, 24]", "data section of 16 bytes")),
                Arguments.of("\"F32\"", "[0]", "[8,4]", 16, List.of("[8, 4]", "end before")),
                Arguments.of("\"F32\"", "[-1,4]", "[0,16]", 16, List.of("dimension -1", "axis 0")),
                Arguments.of("\"F32\"", "[1.5]", "[0,4]", 4, List.of("dimension 1.5")),
                Arguments.of("\"F64\"", "[2147483647,2147483647,2147483647]", "[0,8]", 8, List.of("exceeds 2^63 bytes")),
                Arguments.of("\"F32\"", "[1]", "[0]", 4, List.of("[begin, end]", "[0]")),
                Arguments.of("\"F32\"", "[1]", "[0,-4]", 4, List.of("non-negative", "-4")),
                Arguments.of("32", "[1]", "[0,4]", 4, List.of("dtype must be a string", "32")),
                Arguments.of("\"F32\"", "1", "[0,4]", 4, List.of("shape must be an array")));
    }

    @ParameterizedTest
    @MethodSource("badEntries")
    void badEntryNamesTensorAndValues(String dtype, String shape, String offsets, int dataBytes, List<String> parts)
            throws IOException {
        String message = failure(single(dtype, shape, offsets), dataBytes);
        assertMentions(message, "tensor 'a'");
        parts.forEach(p -> assertMentions(message, p));
    }

    @Test
    void overlappingOffsets() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        assertMentions(failure(header, 24), "tensor 'b'", "[8, 24]", "overlap tensor 'a'", "[0, 16]");
    }

    @Test
    void shapeSizeMismatch() throws IOException {
        String header = "{\"x.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,40]}}";
        assertEquals(dir.resolve("bad.safetensors") + ": tensor 'x.weight' declares shape [3, 4] of F32 = 48 bytes"
                + " but data_offsets span 40 bytes", failure(header, 48));
    }

    @Test
    void missingAndExtraFields() throws IOException {
        assertMentions(failure("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'a'", "no data_offsets");
        assertMentions(failure("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
                "tensor 'a'", "unexpected field 'x'");
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        assertMentions(failure("{\"__metadata__\":{\"seed\":1}}", 0), "__metadata__", "'seed'", "string", "NUMBER");
    }

    @Test
    void missingFile() {
        assertMentions(failure(dir.resolve("absent.safetensors")), "no such file");
    }
}
