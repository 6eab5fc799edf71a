package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.DType;
import perceiver.checkpoint.TensorStore;

/** {@code perceiver convert} (the conversion itself is tested in {@code perceiver.checkpoint.ConvertTest}). */
class ConvertCommandTest {
    private static final Path STATE_DICT = Path.of("testdata/checkpoint/state_dict.pt");

    @TempDir
    Path tmp;

    @Test
    void writesOneSafetensorsFileWidenedToFloat32UnlessTold() {
        Path f32 = tmp.resolve("f32.safetensors"), kept = tmp.resolve("kept.safetensors");
        List<String> lines = CliRun.of("convert", STATE_DICT, f32).ok();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("read " + STATE_DICT + " (pytorch zip, ")
                && lines.get(0).endsWith("), wrote " + f32), lines.get(0));
        CliRun.of("convert", "--keep-dtypes", STATE_DICT, kept).ok();
        try (TensorStore source = Checkpoints.open(STATE_DICT); TensorStore wide = Checkpoints.open(f32);
                TensorStore same = Checkpoints.open(kept)) {
            assertEquals(source.names(), wide.names());
            for (String name : source.names()) {
                DType dtype = source.info(name).dtype();
                assertEquals(dtype.isFloat() ? DType.F32 : dtype, wide.info(name).dtype(), name);
                assertEquals(dtype, same.info(name).dtype(), name);
            }
        }
    }

    @Test
    void aMissingInputIsOneErrorLineAndWritesNothing() {
        Path out = tmp.resolve("out.safetensors");
        CliRun.of("convert", tmp.resolve("none.bin"), out).badInput("none.bin", "no such file");
        assertTrue(Files.notExists(out));
    }
}
