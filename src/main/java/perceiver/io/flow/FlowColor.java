package perceiver.io.flow;

import java.nio.file.Path;
import perceiver.io.media.RgbImage;
import perceiver.tensor.Tensor;

/**
 * The Middlebury colour coding of optical flow (Baker et al., IJCV 2011; flow-code/colorcode.cpp, computeColor.m /
 * flowToColor.m): hue = flow direction on a 55-colour wheel (RY 15, YG 6, GC 4, CB 11, BM 13, MR 6), saturation =
 * magnitude normalised by the largest magnitude in the field (zero flow is white, the largest is fully saturated).
 * Unknown flow (|u| or |v| > 1e9, or NaN) is black.
 */
public final class FlowColor {
    private static final double UNKNOWN = 1e9;
    private static final int[][] WHEEL = colorWheel();

    private FlowColor() {}

    /** The colour wheel {@code [55][3]} (R, G, B), Middlebury's {@code makeColorwheel}. */
    static int[][] colorWheel() {
        int[] seg = {15, 6, 4, 11, 13, 6};
        int n = 0;
        for (int s : seg) n += s;
        int[][] wheel = new int[n][3];
        int col = 0;
        for (int s = 0; s < seg.length; s++) {
            for (int i = 0; i < seg[s]; i++, col++) {
                int up = (int) Math.floor(255.0 * i / seg[s]);
                int down = 255 - up;
                int[] rgb = switch (s) {
                    case 0 -> new int[] {255, up, 0};     // red -> yellow
                    case 1 -> new int[] {down, 255, 0};   // yellow -> green
                    case 2 -> new int[] {0, 255, up};     // green -> cyan
                    case 3 -> new int[] {0, down, 255};   // cyan -> blue
                    case 4 -> new int[] {up, 0, 255};     // blue -> magenta
                    default -> new int[] {255, 0, down};  // magenta -> red
                };
                wheel[col] = rgb;
            }
        }
        return wheel;
    }

    /**
     * Colour-codes a flow field, normalised by its own largest known magnitude.
     *
     * @param flow {@code [H, W, 2]} (u, v)
     */
    public static RgbImage toImage(Tensor flow) {
        return toImage(flow, maxMagnitude(flow));
    }

    /** Largest {@code sqrt(u^2 + v^2)} over the known pixels (0 if none). */
    public static double maxMagnitude(Tensor flow) {
        check(flow);
        double max = 0;
        float[] d = flow.data();
        for (int p = 0; p < flow.size() / 2; p++) {
            double u = d[flow.offset() + 2 * p], v = d[flow.offset() + 2 * p + 1];
            if (known(u, v)) max = Math.max(max, Math.hypot(u, v));
        }
        return max;
    }

    /**
     * Colour-codes a flow field with a given normalisation (e.g. a fixed maximum for a sequence of frames).
     *
     * @param flow         {@code [H, W, 2]} (u, v)
     * @param maxMagnitude magnitude shown fully saturated; larger magnitudes are darkened (x 0.75) as in Middlebury
     * @return {@code H x W} RGB image
     */
    public static RgbImage toImage(Tensor flow, double maxMagnitude) {
        check(flow);
        int h = flow.dim(0), w = flow.dim(1), ncols = WHEEL.length;
        double norm = maxMagnitude + 2.220446049250313e-16; // MATLAB eps, as in flowToColor.m
        byte[] out = new byte[3 * h * w];
        float[] d = flow.data();
        for (int p = 0; p < h * w; p++) {
            double u = d[flow.offset() + 2 * p], v = d[flow.offset() + 2 * p + 1];
            if (!known(u, v)) continue; // black
            u /= norm;
            v /= norm;
            double rad = Math.sqrt(u * u + v * v);
            double a = Math.atan2(-v, -u) / Math.PI;
            double fk = (a + 1) / 2 * (ncols - 1);
            int k0 = (int) Math.floor(fk);
            int k1 = k0 + 1 == ncols ? 0 : k0 + 1;
            double f = fk - k0;
            for (int c = 0; c < 3; c++) {
                double col = (1 - f) * WHEEL[k0][c] / 255.0 + f * WHEEL[k1][c] / 255.0;
                col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75;
                out[3 * p + c] = (byte) (int) Math.floor(255 * col);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Writes {@link #toImage(Tensor)} as a PNG. */
    public static void writePng(Path file, Tensor flow) {
        toImage(flow).writePng(file);
    }

    private static boolean known(double u, double v) {
        return Math.abs(u) <= UNKNOWN && Math.abs(v) <= UNKNOWN; // false for NaN
    }

    private static void check(Tensor flow) {
        if (flow.rank() != 3 || flow.dim(2) != 2) throw new IllegalArgumentException("flow must be [H, W, 2], got " + flow);
    }
}
