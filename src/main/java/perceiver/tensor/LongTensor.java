package perceiver.tensor;

import java.util.Arrays;

/** A dense row-major int64 tensor (token ids, masks, indices). */
public record LongTensor(long[] data, int[] shape) {
    public LongTensor {
        if (Tensor.count(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length + " elements");
        }
    }

    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int rank() { return shape.length; }
}
