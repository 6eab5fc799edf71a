package perceiver.tensor;

import java.util.Arrays;

/**
 * A dense, row-major float32 tensor: a shape and a window {@code [offset, offset + size)} of a float array.
 * Views ({@link #reshape}, {@link #get(int)}, {@link #rows}) share the array and copy nothing; kernels read and
 * write {@link #data()} from {@link #offset()} directly.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int size;

    private Tensor(float[] data, int offset, int[] shape) {
        this.shape = shape.clone();
        int n = checkedCount(this.shape);
        if (offset < 0 || (long) offset + n > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit an array of " + data.length);
        }
        this.data = data;
        this.offset = offset;
        this.size = n;
    }

    /** The element count of {@code shape}; rejects negative dimensions and more than 2^31 - 9 elements. */
    private static int checkedCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " exceeds 2^31 elements");
            }
        }
        return (int) n;
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[checkedCount(shape)], 0, shape);
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        if (count(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count(shape)
                    + " elements, array has " + data.length);
        }
        return new Tensor(data, 0, shape);
    }

    public static long count(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public float[] data() { return data; }
    public int offset() { return offset; }
    public int size() { return size; }
    public int rank() { return shape.length; }
    public int[] shape() { return shape.clone(); }

    /** Dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    /** Number of rows when seen as a matrix {@code [size / dim(-1), dim(-1)]}. */
    public int rows() { return shape.length == 0 ? 1 : size / Math.max(1, shape[shape.length - 1]); }

    public boolean hasShape(int... expected) { return Arrays.equals(shape, expected); }

    /** A view with another shape of the same element count. */
    public Tensor reshape(int... newShape) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) infer = i; else known *= newShape[i];
        }
        int[] s = newShape.clone();
        if (infer >= 0) s[infer] = (int) (size / known);
        if (count(s) != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(data, offset, s);
    }

    /** The sub-tensor at index {@code i} of axis 0 (a view). */
    public Tensor get(int i) {
        return rows(i, i + 1).reshape(Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** Indices {@code [from, to)} of axis 0 (a view). */
    public Tensor rows(int from, int to) {
        if (from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of axis of size " + shape[0]);
        }
        int inner = shape[0] == 0 ? 0 : size / shape[0];
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(data, offset + from * inner, s);
    }

    public float at(int... index) { return data[offset + flatIndex(index)]; }

    public void set(float value, int... index) { data[offset + flatIndex(index)] = value; }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor of rank " + shape.length);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /** The elements as a fresh array. */
    public float[] toArray() { return Arrays.copyOfRange(data, offset, offset + size); }

    public Tensor copy() { return new Tensor(toArray(), 0, shape); }

    public void copyFrom(Tensor src) {
        if (src.size != size) throw new IllegalArgumentException("copy of " + src + " into " + this);
        System.arraycopy(src.data, src.offset, data, offset, size);
    }

    /** This tensor repeated along a new leading axis: {@code [times, ...shape]} (a copy). */
    public Tensor repeat(int times) {
        int[] s = new int[shape.length + 1];
        s[0] = times;
        System.arraycopy(shape, 0, s, 1, shape.length);
        Tensor out = zeros(s);
        for (int i = 0; i < times; i++) System.arraycopy(data, offset, out.data, i * size, size);
        return out;
    }

    /**
     * Concatenation along the last axis: parts {@code [..., C_i]} with equal leading dimensions give
     * {@code [..., ΣC_i]}.
     */
    public static Tensor concatLast(Tensor... parts) {
        int rows = parts[0].rows(), width = 0;
        for (Tensor p : parts) {
            if (p.rows() != rows || p.rank() != parts[0].rank()) {
                throw new IllegalArgumentException("cannot concatenate " + p + " to " + parts[0] + " along the last axis");
            }
            width += p.dim(-1);
        }
        int[] s = parts[0].shape();
        s[s.length - 1] = width;
        Tensor out = zeros(s);
        int at = 0;
        for (Tensor p : parts) {
            int c = p.dim(-1);
            for (int r = 0; r < rows; r++) System.arraycopy(p.data, p.offset + r * c, out.data, r * width + at, c);
            at += c;
        }
        return out;
    }

    /** Concatenation along axis 1 of {@code [B, n_i, C]} arrays: {@code [B, Σn_i, C]}. */
    public static Tensor concatTokens(Tensor... parts) {
        int batch = parts[0].dim(0), c = parts[0].dim(2), n = 0;
        for (Tensor p : parts) {
            if (p.rank() != 3 || p.dim(0) != batch || p.dim(2) != c) {
                throw new IllegalArgumentException("cannot concatenate " + p + " to " + parts[0] + " along axis 1");
            }
            n += p.dim(1);
        }
        Tensor out = zeros(batch, n, c);
        for (int b = 0; b < batch; b++) {
            int at = 0;
            for (Tensor p : parts) {
                out.get(b).rows(at, at + p.dim(1)).copyFrom(p.get(b));
                at += p.dim(1);
            }
        }
        return out;
    }

    public void fill(float value) { Arrays.fill(data, offset, offset + size, value); }

    @Override
    public String toString() { return "Tensor" + Arrays.toString(shape); }
}
