package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F16 and BF16 copies of golden weights read back as the F32 values rounded to nearest even, widened exactly. */
class HalfPrecisionTest {
    @TempDir
    Path dir;

    /** bfloat16 rounding of a normal float computed independently of the writer: 8 significant bits, rint. */
    private static float bfloat16(float v) {
        int e = Math.getExponent(v);
        return (float) Math.scalb(Math.rint(Math.scalb((double) v, 7 - e)), e - 7);
    }

    private void checkWidening(DType dtype) {
        Path copy = dir.resolve(dtype + ".safetensors");
        try (TensorStore golden = SafetensorsReader.open(ShardedStoreTest.GOLDEN)) {
            SafetensorsWriter w = SafetensorsWriter.create();
            golden.names().forEach(n -> w.add(n, golden.floats(n), dtype));
            w.write(copy);
            try (TensorStore half = Checkpoints.open(copy)) {
                int checked = 0;
                for (String name : golden.names()) {
                    assertEquals(dtype, half.info(name).dtype());
                    float[] expected = golden.floats(name).toArray();
                    float[] actual = half.floats(name).toArray();
                    for (int i = 0; i < expected.length; i++, checked++) {
                        float v = expected[i];
                        float rounded = dtype == DType.F16 ? Float.float16ToFloat(Float.floatToFloat16(v)) : bfloat16(v);
                        assertEquals(rounded, actual[i], name + "[" + i + "] of " + v);
                    }
                }
                assertEquals(13918, checked);
            }
        }
    }

    @Test
    void float16WidensExactly() { checkWidening(DType.F16); }

    @Test
    void bfloat16WidensExactly() { checkWidening(DType.BF16); }
}
