package perceiver.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

import perceiver.models.PerceiverConfig;

/**
 * Analytic FLOP count of one forward pass, from the configuration and the workload alone: {@code 2·m·n·k} for every
 * matrix product {@code [m, k]·[k, n]} — each linear layer, the attention products {@code q·kᵀ} and {@code p·v},
 * convolutions as im2col gemm. Element-wise work (layer norms, softmax, GELU, residuals, position encodings,
 * pooling) is not counted; at these sizes it is well under 1% of the total.
 *
 * <p>Channel widths follow the reference implementation's defaults (golden/README.md point 6): encoder
 * cross-attention qk = {@code qk_channels} else the input width ({@code cross_attention_shape_for_attention}
 * "kv") or d_latents ("q"), v = {@code v_channels} else qk; self-attention qk = {@code qk_channels} else d_latents;
 * decoder cross-attention qk = v = d_latents unless the decoder sets them. The multimodal count is that of the
 * reference API's recipe: the decoder runs once per chunk, each chunk decoding its own video and audio points plus
 * the label, and computing the latents' keys and values again.
 */
public final class Flops {
    private Flops() {}

    /** Per stage, in FLOPs. */
    public record Stages(double preprocess, double encode, double process, double decode) {
        public double total() { return preprocess + encode + process + decode; }

        public Stages plus(Stages o) {
            return new Stages(preprocess + o.preprocess, encode + o.encode, process + o.process, decode + o.decode);
        }
    }

    /** {@code [m, k]·[k, n]}. */
    public static double matmul(double m, double n, double k) {
        return 2 * m * n * k;
    }

    /**
     * One attention module (paper Eq. 4-6): {@code nq} queries of {@code qDim} channels attend to {@code m} keys of
     * {@code kvDim} channels: projections to qk / qk / v channels, {@code q·kᵀ} and {@code p·v} over all heads
     * (heads split channels, so they do not change the count), the output projection to {@code out} channels and
     * the MLP {@code out → widening·out → out}.
     */
    public static double attention(double nq, int qDim, double m, int kvDim, int qk, int v, int out, int widening) {
        return matmul(nq, qk, qDim) + matmul(m, qk, kvDim) + matmul(m, v, kvDim)
                + matmul(nq, m, qk) + matmul(nq, v, m)
                + matmul(nq, out, v)
                + matmul(nq, (double) widening * out, out) + matmul(nq, out, (double) widening * out);
    }

    /** The encoder cross-attention of {@code m} input rows of {@code kvDim} channels onto the latents. */
    public static double encode(PerceiverConfig c, double m, int kvDim) {
        int qk = c.qkChannels() != null ? c.qkChannels()
                : c.crossAttentionShapeForAttention().equals("q") ? c.dLatents() : kvDim;
        int v = c.vChannels() != null ? c.vChannels() : qk;
        return attention(c.numLatents(), c.dLatents(), m, kvDim, qk, v, c.dLatents(), c.crossAttentionWideningFactor());
    }

    /** The latent self-attention stack: {@code num_blocks × num_self_attends_per_block} layers. */
    public static double process(PerceiverConfig c) {
        int d = c.dLatents();
        int qk = c.qkChannels() != null ? c.qkChannels() : d;
        int v = c.vChannels() != null ? c.vChannels() : qk;
        double layer = attention(c.numLatents(), d, c.numLatents(), d, qk, v, v, c.selfAttentionWideningFactor());
        return (double) c.numBlocks() * c.numSelfAttendsPerBlock() * layer;
    }

    /**
     * A basic decoder: {@code o} queries of {@code qDim} channels onto the latents (qk, v default d_latents), then
     * an optional final projection to {@code finalOut} channels (0: none).
     */
    public static double decode(PerceiverConfig c, double o, int qDim, Integer qk, Integer v, int widening, int finalOut) {
        int qkCh = qk != null ? qk : c.dLatents();
        int vCh = v != null ? v : qkCh;
        return attention(o, qDim, c.numLatents(), c.dLatents(), qkCh, vCh, qDim, widening) + matmul(o, finalOut, qDim);
    }

    /** The count of {@code workload} on the architecture of {@code c}. */
    public static Stages count(PerceiverConfig c, Workload workload) {
        double process = process(c);
        int d = c.dLatents();
        return switch (workload) {
            case Workload.Text t -> {
                double m = t.length();
                double decode = t.queries() == 1 ? decode(c, 1, d, null, null, 1, c.numLabels())
                        // MLM: one query of d_model per position, 8 heads of qk 256, v = d_model, then the output
                        // projection tied to the token embedding
                        : decode(c, t.queries(), c.dModel(), 256, c.dModel(), 1, 0)
                                + matmul(t.queries(), c.vocabSize(), c.dModel());
                yield new Stages(0, encode(c, m, c.dModel()), process, decode);
            }
            case Workload.Image i -> {
                double pixels = (double) i.height() * i.width(), pre, m;
                int channels;
                switch (i.prep()) {
                    case CONV1X1 -> { // conv 1x1 3 → 256, learned positions [image_size², 256] projected 256 → 256
                        pre = matmul(pixels, 256, 3) + matmul((double) c.imageSize() * c.imageSize(), 256, 256);
                        m = pixels;
                        channels = 512;
                    }
                    case PIXELS -> { // raw RGB + 2-D Fourier features (64 bands, positions concatenated)
                        pre = 0;
                        m = pixels;
                        channels = 3 + 2 + 2 * 2 * 64;
                    }
                    default -> { // conv 7x7 stride 2 (padding 3), 3 → 64 as im2col gemm; max-pool 3x3 stride 2
                        int[] conv = i.convGrid();
                        pre = matmul((double) conv[0] * conv[1], 64, 3 * 7 * 7);
                        m = i.inputRows();
                        channels = 64 + 2 + 2 * 2 * 64;
                    }
                }
                yield new Stages(pre, encode(c, m, channels), process, decode(c, 1, d, null, null, 1, c.numLabels()));
            }
            case Workload.Flow f -> {
                double pixels = (double) f.height() * f.width();
                int channels = 64 + 2 + 2 * 2 * 64; // Linear(54 → 64) + 2-D Fourier features (64 bands)
                yield new Stages(matmul(pixels, 64, 54), encode(c, pixels, channels), process,
                        decode(c, pixels, channels, null, null, 1, 2));
            }
            case Workload.Multimodal mm -> {
                double decode = 0;
                for (int k = 0; k < mm.chunks(); k++) {
                    double video = mm.videoChunk(k), audio = mm.audioChunk(k), queries = video + audio + 1;
                    decode += decode(c, queries, Workload.Multimodal.QUERY_CHANNELS, null, null, 1,
                            Workload.Multimodal.DECODER_OUT)
                            + matmul(audio, c.samplesPerPatch(), Workload.Multimodal.DECODER_OUT)
                            + matmul(video, 3, Workload.Multimodal.DECODER_OUT)
                            + matmul(1, c.numLabels(), Workload.Multimodal.DECODER_OUT);
                }
                yield new Stages(0, encode(c, mm.inputRows(), c.dModel()), process, decode);
            }
            case Workload.Generic g -> {
                JsonNode kw = c.extra().path("constructor").path("decoder").path("kwargs");
                boolean classifier = c.extra().path("constructor").path("decoder").path("cls").asText()
                        .equals("PerceiverClassificationDecoder");
                int channels = kw.path("num_channels").asInt(classifier ? d : 128);
                int finalOut = !kw.path("final_project").asBoolean(true) ? 0
                        : classifier ? c.numLabels() : kw.path("output_num_channels").asInt();
                Integer qk = kw.hasNonNull("qk_channels") ? kw.get("qk_channels").asInt() : null;
                Integer v = kw.hasNonNull("v_channels") ? kw.get("v_channels").asInt() : null;
                yield new Stages(0, encode(c, g.inputs(), c.dModel()), process,
                        decode(c, g.outputs(), channels, qk, v, kw.path("widening_factor").asInt(1), finalOut));
            }
        };
    }
}
