package perceiver.checkpoint;

import java.util.Arrays;

/** Name, element type and shape of one stored tensor. */
public record TensorInfo(String name, DType dtype, int[] shape) {
    public long elements() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public String shapeString() { return Arrays.toString(shape); }
}
