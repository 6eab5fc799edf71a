package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import perceiver.tensor.Tensor;

/** The test-only PyTorch writer against files real PyTorch (1.13) wrote, and read back by {@link PyTorchReader}. */
class TorchZipWriterTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"basic-model", "mlm-bytes", "seq-classification"})
    void sameStateDictGivesTheBytesTorchWrote(String c) throws IOException {
        Path real = PyTorchReaderTest.DATA.resolve("golden-bin/" + c + ".bin");
        Path ours = dir.resolve(c + ".bin");
        try (TensorStore golden = Checkpoints.open(Path.of("golden", c, "weights.safetensors"))) {
            TorchZipWriter.write(golden, ours);
        }
        try (TensorStore torch = Checkpoints.open(real); TensorStore written = Checkpoints.open(ours)) {
            assertEquals("pytorch zip", written.format());
            StoreAssertions.assertSameTensors(torch, written);
        }
        assertEquals(-1L, Files.mismatch(real, ours), "first differing byte of " + ours + " and " + real);
    }

    @Test
    void everyDtypeScalarsAndEmptyTensorsReadBack() {
        float[] values = {1.5f, -2.25f, 3e-3f, 65504f, -0f, 7f};
        Path source = dir.resolve("source.safetensors");
        SafetensorsWriter.create()
                .add("f32", Tensor.of(values, 2, 3)).add("f64", Tensor.of(values, 6), DType.F64)
                .add("f16", Tensor.of(values, 3, 2), DType.F16).add("bf16", Tensor.of(values, 1, 2, 3), DType.BF16)
                .add("scalar", Tensor.of(new float[] {2.5f})).add("empty", Tensor.zeros(0, 3))
                .add("rank4", Tensor.of(new float[24], 1, 2, 3, 4))
                .addLongs("i64", new long[] {0, -1, 1L << 40}, 3).addLongs("num_batches_tracked", new long[] {7})
                .addLongs("i32", new long[] {1 << 30, -5}, DType.I32, 2).addLongs("i16", new long[] {-300}, DType.I16, 1)
                .addLongs("i8", new long[] {-128, 127}, DType.I8, 2).addLongs("u8", new long[] {255}, DType.U8, 1)
                .addLongs("bool", new long[] {1, 0, 1}, DType.BOOL, 3)
                .write(source);
        Path bin = dir.resolve("pytorch_model.bin");
        try (TensorStore expected = Checkpoints.open(source)) {
            TorchZipWriter.write(expected, bin);
            try (TensorStore actual = Checkpoints.open(bin)) {
                StoreAssertions.assertSameTensors(expected, actual);
            }
        }
    }
}
