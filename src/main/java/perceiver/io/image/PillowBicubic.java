package perceiver.io.image;

import perceiver.io.media.RgbImage;

/**
 * Pillow 9.4's 8-bit {@code Image.resize(size, resample=BICUBIC)} (libImaging/Resample.c), reproduced to the bit
 * (golden/golden-hf-train/README.md "Image processor and bicubic resampling").
 *
 * <p>Separable, horizontal pass first into a uint8 intermediate image, then the vertical pass (a pass is skipped
 * when that axis keeps its size). Keys cubic kernel with a = -0.5 (support 2). For output index o along an axis with
 * {@code scale = in / out}: {@code center = (o + 0.5) * scale}, {@code filterscale = max(scale, 1)} (antialiasing:
 * the kernel is stretched when downsampling), taps i from {@code (int)(center - support + 0.5)} (>= 0) to
 * {@code (int)(center + support + 0.5)} (<= in) exclusive with {@code support = 2 * filterscale}, weights
 * {@code k((i - center + 0.5) / filterscale)} normalised to sum 1 (out-of-image taps dropped, no edge replication),
 * converted to fixed point with 22 fractional bits (round half away from zero); each output is
 * {@code clip8((2^21 + sum u8 * k) >> 22)} in 32-bit integers. This is NOT the textbook bicubic (torch's a = -0.75,
 * no antialiasing) and not a float implementation: the uint8 clipping of the intermediate image matters.
 */
public final class PillowBicubic {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PillowBicubic() {}

    /** Pillow's {@code bicubic_filter} (Keys, a = -0.5). */
    static double filter(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /** Fixed-point taps of one axis: for output o, taps {@code [bounds[2o], bounds[2o] + bounds[2o+1])}. */
    record Coefficients(int ksize, int[] bounds, int[] kk) {}

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for the box {@code [0, inSize)}. */
    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) k[x] /= ww;
                double v = k[x] * (1 << PRECISION_BITS);
                kk[xx * ksize + x] = (int) (k[x] < 0 ? -0.5 + v : 0.5 + v);
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, kk);
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Resizes like Pillow 9.4 {@code Image.resize((outWidth, outHeight), Image.BICUBIC)} on an RGB image.
     *
     * @return an {@code outHeight x outWidth} image (HWC uint8)
     */
    public static RgbImage resize(RgbImage src, int outWidth, int outHeight) {
        if (outWidth < 1 || outHeight < 1) {
            throw new IllegalArgumentException("resize target must be positive, got " + outWidth + "x" + outHeight);
        }
        RgbImage img = src;
        if (outWidth != img.width()) img = horizontal(img, outWidth);
        if (outHeight != img.height()) img = vertical(img, outHeight);
        return img == src ? new RgbImage(src.width(), src.height(), src.rgb().clone()) : img;
    }

    private static RgbImage horizontal(RgbImage in, int outW) {
        int h = in.height();
        byte[] out = new byte[3 * outW * h];
        pass(in.rgb(), coefficients(in.width(), outW), h, outW, in.width(), 1, outW, 1, out);
        return new RgbImage(outW, h, out);
    }

    private static RgbImage vertical(RgbImage in, int outH) {
        int w = in.width();
        byte[] out = new byte[3 * w * outH];
        pass(in.rgb(), coefficients(in.height(), outH), w, outH, 1, w, 1, w, out);
        return new RgbImage(w, outH, out);
    }

    /**
     * One resampling pass over {@code lines} lines of RGB pixels: input pixel (line, tap) is at
     * {@code line * inLine + tap * inTap}, output pixel (line, o) at {@code line * outLine + o * outStep}.
     */
    private static void pass(byte[] src, Coefficients c, int lines, int outLen, int inLine, int inTap,
                             int outLine, int outStep, byte[] out) {
        for (int line = 0; line < lines; line++) {
            for (int o = 0; o < outLen; o++) {
                int min = c.bounds[2 * o], n = c.bounds[2 * o + 1], k0 = o * c.ksize;
                int s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                for (int t = 0; t < n; t++) {
                    int p = (line * inLine + (t + min) * inTap) * 3, k = c.kk[k0 + t];
                    s0 += (src[p] & 0xff) * k;
                    s1 += (src[p + 1] & 0xff) * k;
                    s2 += (src[p + 2] & 0xff) * k;
                }
                int q = (line * outLine + o * outStep) * 3;
                out[q] = (byte) clip8(s0);
                out[q + 1] = (byte) clip8(s1);
                out[q + 2] = (byte) clip8(s2);
            }
        }
    }
}
