package perceiver.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Where one tensor's elements lie: a little-endian storage buffer, the element offset of the first element and the
 * stride (in elements) of each axis. Converts to float32 or long arrays in row-major order, gathering
 * non-contiguous layouts.
 */
record StoredTensor(Path file, TensorInfo info, ByteBuffer storage, long offset, long[] strides) {

    /** A densely packed row-major tensor starting at the first byte of {@code storage}. */
    static StoredTensor contiguous(Path file, TensorInfo info, ByteBuffer storage) {
        return new StoredTensor(file, info, storage, 0, rowMajorStrides(info.shape()));
    }

    static long[] rowMajorStrides(int[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    float[] floats() {
        DType type = requireKind(true, "floats()", "longs()");
        float[] out = new float[count()];
        if (type == DType.F32 && isContiguous()) {
            storage.slice(Math.toIntExact(offset * 4), out.length * 4).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(out);
            return out;
        }
        Positions p = new Positions();
        for (int i = 0; i < out.length; i++) out[i] = ElementCodec.getFloat(storage, type, p.next());
        return out;
    }

    long[] longs() {
        DType type = requireKind(false, "longs()", "floats()");
        long[] out = new long[count()];
        Positions p = new Positions();
        for (int i = 0; i < out.length; i++) out[i] = ElementCodec.getLong(storage, type, p.next());
        return out;
    }

    private DType requireKind(boolean floating, String asked, String other) {
        DType type = info.dtype();
        if (type.isFloat() != floating) {
            String needed = floating ? "a float dtype (F64, F32, F16, BF16)"
                    : "an integer dtype (I64, I32, I16, I8, U8, BOOL)";
            throw new CheckpointException(file + ": tensor '" + info.name() + "' is " + type + "; " + asked
                    + " needs " + needed + ", use " + other);
        }
        return type;
    }

    private int count() {
        long n = info.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": tensor '" + info.name() + "' of shape " + info.shapeString()
                    + " has " + n + " elements, more than a Java array holds (2147483639)");
        }
        return (int) n;
    }

    private boolean isContiguous() {
        int[] shape = info.shape();
        long[] dense = rowMajorStrides(shape);
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 1 && strides[i] != dense[i]) return false;
        }
        return true;
    }

    /** Storage element positions of the tensor's elements in row-major order (an odometer over the shape). */
    private final class Positions {
        private final int[] index = new int[info.shape().length];
        private long position = offset;

        int next() {
            int current = (int) position;
            int[] shape = info.shape();
            for (int axis = index.length - 1; axis >= 0; axis--) {
                position += strides[axis];
                if (++index[axis] < shape[axis]) break;
                position -= strides[axis] * index[axis];
                index[axis] = 0;
            }
            return current;
        }
    }
}
