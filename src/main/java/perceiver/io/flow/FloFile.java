package perceiver.io.flow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import perceiver.io.media.MediaException;
import perceiver.tensor.Tensor;

/**
 * Middlebury {@code .flo} optical-flow files (Baker et al., "A Database and Evaluation Methodology for Optical
 * Flow", IJCV 2011; flow-code/imageLib/flowIO.cpp): the float32 tag 202021.25 (bytes "PIEH"), int32 width, int32
 * height, then {@code height * width} pairs (u, v) float32 row-major; all little-endian.
 */
public final class FloFile {
    /** The tag float, 202021.25 = bytes "PIEH". */
    public static final float MAGIC = 202021.25f;

    private FloFile() {}

    /**
     * Writes a flow field.
     *
     * @param flow {@code [H, W, 2]}: (u, v) = (x, y) displacement in pixels
     */
    public static void write(Path file, Tensor flow) {
        if (flow.rank() != 3 || flow.dim(2) != 2) throw new IllegalArgumentException("flow must be [H, W, 2], got " + flow);
        int h = flow.dim(0), w = flow.dim(1);
        ByteBuffer buf = ByteBuffer.allocate(12 + 8 * h * w).order(ByteOrder.LITTLE_ENDIAN);
        buf.putFloat(MAGIC).putInt(w).putInt(h);
        buf.asFloatBuffer().put(flow.data(), flow.offset(), flow.size());
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.write(file, buf.array());
        } catch (IOException e) {
            throw new MediaException(file + ": cannot write .flo file (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads a flow field.
     *
     * @return {@code [H, W, 2]}
     * @throws MediaException naming the file if it is missing, has the wrong tag or the wrong length
     */
    public static Tensor read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new MediaException(file + ": cannot read .flo file (" + e.getMessage() + ")", e);
        }
        if (bytes.length < 12) throw new MediaException(file + ": not a .flo file (" + bytes.length + " bytes, header needs 12)");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float magic = buf.getFloat();
        if (magic != MAGIC) {
            throw new MediaException(file + ": not a .flo file (tag " + magic + ", expected " + MAGIC + " \"PIEH\")");
        }
        int w = buf.getInt(), h = buf.getInt();
        long expected = 12 + 8L * Math.max(w, 0) * Math.max(h, 0);
        if (w < 1 || h < 1 || expected != bytes.length) {
            throw new MediaException(file + ": .flo size " + w + "x" + h + " needs " + expected + " bytes, file has " + bytes.length);
        }
        float[] out = new float[2 * w * h];
        buf.asFloatBuffer().get(out);
        return Tensor.of(out, h, w, 2);
    }
}
