package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import perceiver.tensor.Tensor;

class SafetensorsReaderTest {
    @TempDir
    Path dir;

    static Stream<Path> goldenFiles() throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("golden"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            assertTrue(files.size() >= 17, "golden safetensors files found: " + files.size());
            return files.stream();
        }
    }

    /** Re-writing every tensor of a golden file with the writer reproduces the file byte for byte. */
    @ParameterizedTest
    @MethodSource("goldenFiles")
    void goldenFilesRoundTripByteIdentical(Path golden) throws IOException {
        Path copy = dir.resolve("copy.safetensors");
        try (TensorStore store = SafetensorsReader.open(golden)) {
            SafetensorsWriter w = SafetensorsWriter.create();
            store.metadata().forEach(w::metadata);
            store.names().forEach(name -> w.copy(store, name));
            w.write(copy);
        }
        assertArrayEquals(Files.readAllBytes(golden), Files.readAllBytes(copy));
    }

    /** Values read by Python's struct module from the raw bytes. */
    @Test
    void goldenValuesMatchIndependentReading() {
        try (TensorStore s = Checkpoints.open(Path.of("golden/basic-model/weights.safetensors"))) {
            assertEquals("safetensors", s.format());
            assertEquals(72, s.names().size());
            assertEquals("embeddings.latents", s.names().get(0));
            assertEquals("basic-model", s.metadata().get("case"));
            Tensor latents = s.floats("embeddings.latents");
            assertArrayEquals(new int[] {8, 24}, latents.shape());
            assertEquals(-0.26527950167655945f, latents.at(0, 0));
            assertEquals(-0.5649852752685547f, latents.at(0, 1));
            assertEquals(-0.3366917371749878f, latents.at(0, 2));
            assertEquals(-0.0759662613272667f, latents.at(7, 23));
        }
        try (TensorStore s = SafetensorsReader.open(Path.of("golden/basic-model/io.safetensors"))) {
            long[] mask = s.longs("attention_mask");
            assertArrayEquals(new int[] {2, 10}, s.info("attention_mask").shape());
            assertEquals(20, mask.length);
            assertEquals(1, mask[0]);
            assertEquals(0, mask[19]);
        }
        try (TensorStore s = SafetensorsReader.open(Path.of("golden/image-conv/weights.safetensors"))) {
            String name = "perceiver.input_preprocessor.convnet.batchnorm.num_batches_tracked";
            assertEquals(0, s.info(name).shape().length);
            assertArrayEquals(new long[] {0}, s.longs(name));
        }
    }

    @Test
    void roundTripOfEveryDtype() {
        Path f = dir.resolve("all.safetensors");
        float[] values = {0f, 1f, -2.5f, 3.1415927f, 1e-3f, -65504f};
        Tensor t = Tensor.of(values.clone(), 2, 3);
        long[] ints = {0, 1, -1, 127, -128, 42};
        SafetensorsWriter.create()
                .add("f32", t).add("f64", t, DType.F64).add("f16", t, DType.F16).add("bf16", t, DType.BF16)
                .addLongs("i64", new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, -1, 7}, 3, 2)
                .addLongs("i32", ints, DType.I32, 6).addLongs("i16", ints, DType.I16, 6).addLongs("i8", ints, DType.I8, 6)
                .addLongs("u8", new long[] {0, 255}, DType.U8, 2).addLongs("bool", new long[] {1, 0}, DType.BOOL, 2)
                .add("scalar", Tensor.of(new float[] {7f})).add("empty", Tensor.zeros(0, 5))
                .metadata("format", "pt").metadata("b", "é")
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertEquals(List.of("f32", "f64", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool", "scalar", "empty"),
                    r.names());
            assertEquals(Map.of("format", "pt", "b", "é"), r.metadata());
            assertArrayEquals(values, r.floats("f32").toArray());
            assertArrayEquals(values, r.floats("f64").toArray());
            assertArrayEquals(new int[] {2, 3}, r.floats("f16").shape());
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), r.floats("f16").toArray()[i]);
            }
            assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, -1, 7}, r.longs("i64"));
            assertArrayEquals(ints, r.longs("i32"));
            assertArrayEquals(ints, r.longs("i16"));
            assertArrayEquals(ints, r.longs("i8"));
            assertArrayEquals(new long[] {0, 255}, r.longs("u8"));
            assertArrayEquals(new long[] {1, 0}, r.longs("bool"));
            Tensor scalar = r.floats("scalar");
            assertEquals(0, scalar.rank());
            assertEquals(7f, scalar.at());
            assertArrayEquals(new int[] {0, 5}, r.floats("empty").shape());
            assertEquals(DType.BF16, r.info("bf16").dtype());
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        Path f = dir.resolve("bf16.safetensors");
        float halfwayDown = 1f + 0x1p-8f;          // between 1 and 1 + 2^-7: ties to even 1
        float halfwayUp = 1f + 3 * 0x1p-8f;        // between 1 + 2^-7 and 1 + 2^-6: ties to even 1 + 2^-6
        float above = 1f + 0x1p-8f + 0x1p-20f;     // just above halfway: up
        float[] in = {halfwayDown, halfwayUp, above, -halfwayUp, Float.POSITIVE_INFINITY, Float.NaN, 0x1p-133f};
        SafetensorsWriter.create().add("x", Tensor.of(in, in.length), DType.BF16).write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            float[] out = r.floats("x").toArray();
            assertEquals(1f, out[0]);
            assertEquals(1f + 0x1p-6f, out[1]);
            assertEquals(1f + 0x1p-7f, out[2]);
            assertEquals(-(1f + 0x1p-6f), out[3]);
            assertEquals(Float.POSITIVE_INFINITY, out[4]);
            assertTrue(Float.isNaN(out[5]));
            assertEquals(0x1p-133f, out[6]);
        }
    }

    @Test
    void writerLayoutIsPaddedAndPacked() throws IOException {
        Path f = dir.resolve("layout.safetensors");
        SafetensorsWriter.create().add("a", Tensor.zeros(3)).addLongs("b", new long[] {5}, DType.I8).write(f);
        byte[] bytes = Files.readAllBytes(f);
        long n = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        assertEquals(8 + n + 13, bytes.length);
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"I8\",\"shape\":[],\"data_offsets\":[12,13]}}", header.stripTrailing());
        assertEquals(5, bytes[bytes.length - 1]);
    }

    @Test
    void wrongKindAndUnknownNameAreClearErrors() {
        Path f = dir.resolve("kinds.safetensors");
        SafetensorsWriter.create().add("w", Tensor.zeros(2)).addLongs("ids", new long[] {1, 2}, 2).write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            String a = assertThrows(CheckpointException.class, () -> r.floats("ids")).getMessage();
            assertTrue(a.contains("'ids' is I64") && a.contains("longs()"), a);
            String b = assertThrows(CheckpointException.class, () -> r.longs("w")).getMessage();
            assertTrue(b.contains("'w' is F32") && b.contains("floats()"), b);
            String c = assertThrows(CheckpointException.class, () -> r.floats("nope")).getMessage();
            assertTrue(c.contains(f.toString()) && c.contains("no tensor 'nope'") && c.contains("2 tensors"), c);
        }
    }

    @Test
    void readAfterCloseIsAClearError() {
        Path f = dir.resolve("closed.safetensors");
        SafetensorsWriter.create().add("w", Tensor.zeros(2)).write(f);
        SafetensorsReader r = SafetensorsReader.open(f);
        r.close();
        String m = assertThrows(CheckpointException.class, () -> r.floats("w")).getMessage();
        assertTrue(m.contains("closed") && m.contains("'w'"), m);
    }

    @Test
    void writerRejectsDuplicatesAndWrongKinds() {
        SafetensorsWriter w = SafetensorsWriter.create().add("a", Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> w.add("a", Tensor.zeros(1)));
        assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", Tensor.zeros(1)));
        assertThrows(IllegalArgumentException.class, () -> w.add("b", Tensor.zeros(1), DType.I64));
        assertThrows(IllegalArgumentException.class, () -> w.addLongs("c", new long[] {1}, DType.F32, 1));
        assertThrows(IllegalArgumentException.class, () -> w.addLongs("d", new long[] {1, 2}, 3));
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.create().addLongs("e", new long[] {300}, DType.I8, 1).write(dir.resolve("e")));
    }

    @Test
    void checkpointsRejectsUnknownFormats() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.txt"), "hello, world");
        String m = assertThrows(CheckpointException.class, () -> Checkpoints.open(f)).getMessage();
        assertTrue(m.contains("unknown checkpoint format") && m.contains("68 65 6c"), m);
        String d = assertThrows(CheckpointException.class, () -> Checkpoints.open(dir)).getMessage();
        assertTrue(d.contains("directory"), d);
        String n = assertThrows(CheckpointException.class, () -> Checkpoints.open(dir.resolve("x"))).getMessage();
        assertTrue(n.contains("no such file"), n);
    }
}
