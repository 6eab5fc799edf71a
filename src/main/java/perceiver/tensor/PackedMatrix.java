package perceiver.tensor;

/**
 * A {@code [rows, cols]} matrix stored as column panels of {@link Matmul#NR} columns, each panel {@code rows × NR}
 * contiguous and zero-padded past {@code cols}: the layout the matmul micro-kernel streams. Linear layers pack
 * their weight once, at load time.
 */
public final class PackedMatrix {
    private final int rows;
    private final int cols;
    private final float[] data;

    private PackedMatrix(int rows, int cols, float[] data) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /**
     * Packs {@code op(B)[rows, cols]}: {@code B[rows, cols]} with leading dimension {@code ldb}, or, when
     * {@code transposed}, {@code B[cols, rows]} read as its transpose.
     */
    public static PackedMatrix pack(int rows, int cols, float[] b, int bOff, int ldb, boolean transposed) {
        int nr = Matmul.NR;
        int panels = (cols + nr - 1) / nr;
        float[] d = new float[Math.toIntExact((long) panels * rows * nr)];
        for (int p = 0; p < panels; p++) {
            int base = p * rows * nr;
            int width = Math.min(nr, cols - p * nr);
            for (int r = 0; r < rows; r++) {
                int dst = base + r * nr;
                if (transposed) {
                    for (int j = 0; j < width; j++) d[dst + j] = b[bOff + (p * nr + j) * ldb + r];
                } else {
                    System.arraycopy(b, bOff + r * ldb + p * nr, d, dst, width);
                }
            }
        }
        return new PackedMatrix(rows, cols, d);
    }

    /** Packs the transpose of a row-major {@code [out, in]} weight: the B of {@code y = x · Wᵀ}. */
    public static PackedMatrix packTransposed(Tensor w) {
        return pack(w.dim(1), w.dim(0), w.data(), w.offset(), w.dim(1), true);
    }

    /** The matrix unpacked, row-major {@code [rows, cols]} (e.g. for upload to a device). */
    public float[] toRowMajor() {
        int nr = Matmul.NR;
        float[] out = new float[Math.toIntExact((long) rows * cols)];
        for (int p = 0; p < panels(); p++) {
            int width = Math.min(nr, cols - p * nr);
            for (int r = 0; r < rows; r++) System.arraycopy(data, panelOffset(p) + r * nr, out, r * cols + p * nr, width);
        }
        return out;
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    public int panels() { return (cols + Matmul.NR - 1) / Matmul.NR; }
    float[] data() { return data; }
    int panelOffset(int panel) { return panel * rows * Matmul.NR; }
}
