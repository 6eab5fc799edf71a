package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Files written by real PyTorch (testdata/checkpoint/make_testdata.py) against values PyTorch itself exported to
 * safetensors with a struct-based writer.
 */
class PyTorchReaderTest {
    static final Path DATA = Path.of("testdata/checkpoint");

    private static void assertMatchesExpected(String file, String expected) {
        try (TensorStore actual = Checkpoints.open(DATA.resolve(file));
                TensorStore wanted = SafetensorsReader.open(DATA.resolve(expected))) {
            assertEquals("pytorch zip", actual.format());
            assertEquals(Map.of(), actual.metadata());
            StoreAssertions.assertSameValues(wanted, actual);
        }
    }

    @Test
    void stateDictOfEveryDtypeViewAndSharedStorage() {
        assertMatchesExpected("state_dict.pt", "state_dict.expected.safetensors");
        try (TensorStore s = PyTorchReader.open(DATA.resolve("state_dict.pt"))) {
            Map<String, DType> dtypes = Map.of("f32", DType.F32, "f64", DType.F64, "f16", DType.F16, "bf16", DType.BF16,
                    "i64", DType.I64, "i32", DType.I32, "i8", DType.I8, "u8", DType.U8, "bool", DType.BOOL);
            dtypes.forEach((name, dtype) -> assertEquals(dtype, s.info(name).dtype(), name));
            assertArrayEquals(new int[] {5, 3}, s.info("transposed").shape());
            assertArrayEquals(new int[] {3, 3}, s.info("shared.strided").shape());
            assertArrayEquals(new int[0], s.info("scalar").shape());
            assertEquals(2.5f, s.floats("scalar").at());
            assertArrayEquals(new long[] {42}, s.longs("scalar.int"));
            assertArrayEquals(new long[] {0, -1, 1L << 40, -(1L << 62), 7}, s.longs("i64"));
            assertArrayEquals(new long[] {0, 200, 255}, s.longs("u8"));
            float[] full = s.floats("shared.full").toArray();
            assertArrayEquals(java.util.Arrays.copyOfRange(full, 12, 18), s.floats("shared.row").toArray());
            assertEquals(full[6 + 1], s.floats("shared.column").at(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"module.pt", "module_p4.pt", "module_zip64.pt"})
    void moduleStateDictWithMetadataInProtocols2And4AndZip64(String file) {
        assertMatchesExpected(file, "module.expected.safetensors");
        try (TensorStore s = Checkpoints.open(DATA.resolve(file))) {
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked"), s.names());
            assertArrayEquals(new long[] {1}, s.longs("1.num_batches_tracked"));
        }
    }

    @Test
    void parameters() { assertMatchesExpected("parameter.pt", "parameter.expected.safetensors"); }

    @Test
    void handMadeStorageOffset() {
        try (TensorStore s = Checkpoints.open(DATA.resolve("handmade_offset.pt"))) {
            assertArrayEquals(new float[] {3, 4}, s.floats("w").toArray());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic-model", "mlm-bytes", "seq-classification"})
    void goldenWeightsSavedByTorchEqualTheSafetensorsOriginal(String c) {
        try (TensorStore bin = Checkpoints.open(DATA.resolve("golden-bin/" + c + ".bin"));
                TensorStore original = Checkpoints.open(Path.of("golden", c, "weights.safetensors"))) {
            StoreAssertions.assertSameTensors(original, bin);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "evil_global.pt         | global 'os.system' is not allowed",
            "evil_stack_global.pt   | global 'builtins.eval' is not allowed",
            "evil_rebuild.pt        | global 'torch._utils._rebuild_qtensor' is not allowed",
            "evil_reduce_storage.pt | REDUCE of 'torch.FloatStorage' is not allowed",
            "bad_truncated.pt       | not a complete zip archive",
            "bad_missing_data.pt    | tensor 'w' uses storage '0', but the zip has no entry bad_missing_data/data/0",
            "bad_view.pt            | tensor 'w' of shape [3, 2], strides [2, 1] at storage offset 0 reaches past",
            "bad_storage_size.pt    | holds 16 bytes, expected 5 F32 elements = 5 x 4 bytes",
            "bad_pickle_truncated.pt| pickle ends inside an opcode",
            "legacy.pt              | legacy format"})
    void refusedWithAClearMessage(String file, String expected) {
        Path path = DATA.resolve(file);
        String m = assertThrows(CheckpointException.class, () -> Checkpoints.open(path).close()).getMessage();
        assertTrue(m.startsWith(path + ": "), m);
        assertTrue(m.contains(expected), m);
    }

    @Test
    void maliciousPickleMessagesNameTheEntryAndOffset() {
        Path path = DATA.resolve("evil_global.pt");
        String m = assertThrows(CheckpointException.class, () -> PyTorchReader.open(path)).getMessage();
        assertTrue(m.startsWith(path + ": evil_global/data.pkl at byte 2: "), m);
    }
}
