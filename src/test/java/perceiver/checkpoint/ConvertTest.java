package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertTest {
    static final Path STATE_DICT = PyTorchReaderTest.DATA.resolve("state_dict.pt");

    @TempDir
    Path dir;

    private TensorStore convertAndOpen(TensorStore source, String file, boolean keepDtypes) {
        Path out = dir.resolve(file);
        Checkpoints.convert(source, out, keepDtypes);
        return Checkpoints.open(out);
    }

    @Test
    void describeCountsTensorsDtypesElementsAndBytes() {
        try (TensorStore s = Checkpoints.open(Path.of("golden/image-conv/weights.safetensors"))) {
            CheckpointSummary summary = Checkpoints.describe(s);
            assertEquals("safetensors", summary.format());
            assertEquals(78, summary.tensors());
            assertEquals(Map.of(DType.F32, 77, DType.I64, 1), summary.dtypeCounts());
            assertEquals(List.of(DType.F32, DType.I64), List.copyOf(summary.dtypeCounts().keySet()));
            assertEquals(261527, summary.elements());
            assertEquals(1046112, summary.bytes());
            assertEquals("image-conv", summary.metadata().get("case"));
        }
        try (TensorStore s = Checkpoints.open(STATE_DICT)) {
            CheckpointSummary summary = Checkpoints.describe(s);
            assertEquals("pytorch zip", summary.format());
            assertEquals(1, summary.dtypeCounts().get(DType.BF16));
            assertEquals(8, summary.dtypeCounts().get(DType.F32));
        }
    }

    @Test
    void convertKeepingDtypes() {
        try (TensorStore source = Checkpoints.open(STATE_DICT);
                TensorStore converted = convertAndOpen(source, "model.safetensors", true)) {
            assertEquals("safetensors", converted.format());
            assertEquals(Map.of("format", "pt"), converted.metadata());
            StoreAssertions.assertSameTensors(source, converted);
        }
    }

    @Test
    void convertToFloat32() {
        try (TensorStore source = Checkpoints.open(STATE_DICT);
                TensorStore converted = convertAndOpen(source, "f32.safetensors", false)) {
            StoreAssertions.assertSameValues(source, converted);
            for (String name : source.names()) {
                DType before = source.info(name).dtype();
                assertEquals(before.isFloat() ? DType.F32 : before, converted.info(name).dtype(), name);
            }
        }
    }

    @Test
    void convertGoldenBinAndGoldenSafetensors() {
        try (TensorStore bin = Checkpoints.open(PyTorchReaderTest.DATA.resolve("golden-bin/basic-model.bin"));
                TensorStore golden = Checkpoints.open(ShardedStoreTest.GOLDEN);
                TensorStore converted = convertAndOpen(bin, "basic.safetensors", true)) {
            StoreAssertions.assertSameTensors(golden, converted);
            assertEquals(Checkpoints.describe(golden).bytes(), Checkpoints.describe(converted).bytes());
        }
        try (TensorStore golden = Checkpoints.open(ShardedStoreTest.GOLDEN);
                TensorStore copy = convertAndOpen(golden, "golden-copy.safetensors", true)) {
            assertEquals("basic-model", copy.metadata().get("case"));
            assertEquals("pt", copy.metadata().get("format"));
            StoreAssertions.assertSameTensors(golden, copy);
        }
    }
}
