package perceiver.io.image;

import java.util.Arrays;
import perceiver.tensor.Matmul;
import perceiver.tensor.Parallel;
import perceiver.tensor.Tensor;

/**
 * NCHW convolution-stem operations of HF v4.27.1's {@code PerceiverImagePreprocessor}: {@code Conv2dSamePadding},
 * {@code BatchNorm2d} (eval), ReLU, {@code MaxPool2d} (prep_type 'conv', golden/README.md point 20), plus the
 * channels-last flattening every image preprocessor applies before concatenating position encodings (point 18);
 * prep_type 'conv1x1' (point 19) runs its 1x1 convolution as a linear layer on these tokens. All functions are
 * pure: they return new tensors.
 */
public final class ConvOps {
    /** Pixels {@link #toTokens} transposes at a time. */
    private static final int TOKEN_BLOCK = 64;

    private ConvOps() {}

    /**
     * 2-D convolution with zero padding, as {@code torch.nn.functional.conv2d(F.pad(x, ...), w, b, stride)}:
     * {@code out[b, o, y, x] = bias[o] + sum_{c, i, j} w[o, c, i, j] * xpad[b, c, y*stride + i, x*stride + j]}.
     * Implemented as im2col ({@code [Cin*kh*kw, Hout*Wout]} per image) times the weight matrix
     * ({@code [Cout, Cin*kh*kw]}) with {@link Matmul#gemm}; the summation order differs from torch's, so results agree
     * to float32 rounding (~1e-6 relative), not bitwise.
     *
     * @param input  {@code [batch, Cin, H, W]} NCHW
     * @param weight {@code [Cout, Cin, kh, kw]}
     * @param bias   {@code [Cout]}, or null for none
     * @param pad    zero padding {@code {top, bottom, left, right}}
     * @return {@code [batch, Cout, Hout, Wout]}, {@code Hout = floor((H + top + bottom - kh) / stride) + 1}
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int[] pad) {
        requireRank(input, 4, "conv2d input [batch, Cin, H, W]");
        requireRank(weight, 4, "conv2d weight [Cout, Cin, kh, kw]");
        if (pad.length != 4) throw new IllegalArgumentException("pad must be {top, bottom, left, right}");
        if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        int batch = input.dim(0), cin = input.dim(1), h = input.dim(2), w = input.dim(3);
        int cout = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        if (weight.dim(1) != cin) {
            throw new IllegalArgumentException("conv2d: input has " + cin + " channels, weight " + weight + " expects " + weight.dim(1));
        }
        if (bias != null && !bias.hasShape(cout)) {
            throw new IllegalArgumentException("conv2d: bias must be [" + cout + "], got " + bias);
        }
        int ph = h + pad[0] + pad[1], pw = w + pad[2] + pad[3];
        if (ph < kh || pw < kw) {
            throw new IllegalArgumentException("conv2d: padded input " + ph + "x" + pw + " smaller than kernel " + kh + "x" + kw);
        }
        int ho = (ph - kh) / stride + 1, wo = (pw - kw) / stride + 1;
        int k = cin * kh * kw, n = ho * wo;
        Tensor out = Tensor.zeros(batch, cout, ho, wo);
        float[] col = new float[k * n];
        float[] x = input.data();
        for (int b = 0; b < batch; b++) {
            int xb = input.offset() + b * cin * h * w;
            Parallel.forRange(k, 4, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int c = r / (kh * kw), i = r / kw % kh, j = r % kw;
                    int xc = xb + c * h * w;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * stride + i - pad[0];
                        int base = r * n + oy * wo;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, base, base + wo, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * stride + j - pad[2];
                            col[base + ox] = ix < 0 || ix >= w ? 0f : x[xc + iy * w + ix];
                        }
                    }
                }
            });
            int ob = out.offset() + b * cout * n;
            Matmul.gemm(cout, n, k, weight.data(), weight.offset(), k, col, 0, n, false,
                    out.data(), ob, n, false);
            if (bias != null) {
                for (int o = 0; o < cout; o++) {
                    float bv = bias.data()[bias.offset() + o];
                    for (int p = 0; p < n; p++) out.data()[ob + o * n + p] += bv;
                }
            }
        }
        return out;
    }

    /**
     * HF {@code Conv2dSamePadding} (no bias in the conv stem): zero padding {@code ZeroPad2d} of
     * {@code (k//2 + (k - 2*(k//2)) - 1, k//2)} before/after on each axis, i.e. (3, 3) for k = 7, then
     * {@link #conv2d}. (This is HF's fixed formula, not TF's input-size dependent 'SAME'.)
     *
     * @param input  {@code [batch, Cin, H, W]}
     * @param weight {@code [Cout, Cin, kh, kw]}
     * @return {@code [batch, Cout, Hout, Wout]}; 7x7 stride 2 on 224x224 gives 112x112
     */
    public static Tensor conv2dSamePadding(Tensor input, Tensor weight, Tensor bias, int stride) {
        requireRank(weight, 4, "conv2d weight [Cout, Cin, kh, kw]");
        int kh = weight.dim(2), kw = weight.dim(3);
        int[] pad = {kh / 2 + (kh - 2 * (kh / 2)) - 1, kh / 2, kw / 2 + (kw - 2 * (kw / 2)) - 1, kw / 2};
        return conv2d(input, weight, bias, stride, pad);
    }

    /**
     * {@code BatchNorm2d} in eval mode (running statistics), computed like torch's CPU kernel in float32:
     * {@code alpha = weight / sqrt(running_var + eps)}, {@code beta = bias - running_mean * alpha},
     * {@code out = x * alpha + beta}. PyTorch's default eps is 1e-5.
     *
     * @param x {@code [batch, C, H, W]}; weight, bias, runningMean, runningVar {@code [C]}
     * @return {@code [batch, C, H, W]}
     */
    public static Tensor batchNormEval(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                       double eps) {
        requireRank(x, 4, "batch norm input [batch, C, H, W]");
        int batch = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        for (Tensor t : new Tensor[] {weight, bias, runningMean, runningVar}) {
            if (!t.hasShape(c)) throw new IllegalArgumentException("batch norm parameter must be [" + c + "], got " + t);
        }
        float[] alpha = new float[c], beta = new float[c];
        for (int i = 0; i < c; i++) {
            float invstd = 1f / (float) Math.sqrt(runningVar.data()[runningVar.offset() + i] + (float) eps);
            alpha[i] = invstd * weight.data()[weight.offset() + i];
            beta[i] = bias.data()[bias.offset() + i] - runningMean.data()[runningMean.offset() + i] * alpha[i];
        }
        Tensor out = Tensor.zeros(x.shape());
        float[] in = x.data(), o = out.data();
        int xo = x.offset();
        Parallel.forRange(batch * c, 8, (from, to) -> {
            for (int bc = from; bc < to; bc++) {
                float a = alpha[bc % c], bb = beta[bc % c];
                for (int p = bc * hw; p < (bc + 1) * hw; p++) o[p] = in[xo + p] * a + bb;
            }
        });
        return out;
    }

    /** {@code max(x, 0)} element-wise, any shape. */
    public static Tensor relu(Tensor x) {
        float[] out = x.toArray();
        for (int i = 0; i < out.length; i++) if (out[i] < 0f) out[i] = 0f; // NaN stays NaN, as in torch
        return Tensor.of(out, x.shape());
    }

    /**
     * {@code MaxPool2d(kernel, stride, padding=0, ceil_mode=False)}: windows fully inside the input only.
     *
     * @param x {@code [batch, C, H, W]}
     * @return {@code [batch, C, (H - kernel)/stride + 1, (W - kernel)/stride + 1]} (floor); 112 -> 55 for (3, 2)
     */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride) {
        requireRank(x, 4, "max pool input [batch, C, H, W]");
        int bc = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        if (h < kernel || w < kernel) {
            throw new IllegalArgumentException("max pool: input " + h + "x" + w + " smaller than kernel " + kernel);
        }
        int ho = (h - kernel) / stride + 1, wo = (w - kernel) / stride + 1;
        Tensor out = Tensor.zeros(x.dim(0), x.dim(1), ho, wo);
        float[] in = x.data(), o = out.data();
        int xo = x.offset();
        Parallel.forRange(bc, 8, (from, to) -> {
            for (int p = from; p < to; p++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int i = 0; i < kernel; i++) {
                            int row = xo + p * h * w + (oy * stride + i) * w + ox * stride;
                            for (int j = 0; j < kernel; j++) {
                                float v = in[row + j];
                                if (v > m || v != v) m = v;
                            }
                        }
                        o[(p * ho + oy) * wo + ox] = m;
                    }
                }
            }
        });
        return out;
    }

    /**
     * NCHW -> channels-last tokens, as every HF image preprocessor does before adding positions
     * ({@code permute(0, 2, 3, 1)} then {@code reshape(batch, H*W, C)}, (y, x) row-major).
     *
     * @param x {@code [batch, C, H, W]}
     * @return {@code [batch, H*W, C]}
     */
    public static Tensor toTokens(Tensor x) {
        requireRank(x, 4, "image [batch, C, H, W]");
        int batch = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        Tensor out = Tensor.zeros(batch, hw, c);
        float[] in = x.data(), o = out.data();
        int xo = x.offset(), blocks = (hw + TOKEN_BLOCK - 1) / TOKEN_BLOCK;
        for (int b = 0; b < batch; b++) {
            int src = xo + b * c * hw, dst = b * hw * c;
            // a block of pixels at a time, so its output rows stay in cache while every channel is written into them
            Parallel.forRange(blocks, 1, (from, to) -> {
                for (int p0 = from * TOKEN_BLOCK, end = Math.min(hw, to * TOKEN_BLOCK); p0 < end; p0 += TOKEN_BLOCK) {
                    int p1 = Math.min(end, p0 + TOKEN_BLOCK);
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = p0; p < p1; p++) o[dst + p * c + ch] = in[src + ch * hw + p];
                    }
                }
            });
        }
        return out;
    }

    static void requireRank(Tensor t, int rank, String what) {
        if (t.rank() != rank) throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + t);
    }
}
