package perceiver.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

import perceiver.checkpoint.CheckpointException;
import perceiver.core.BasicDecoder;
import perceiver.core.ClassificationDecoder;
import perceiver.core.LatentProcess;
import perceiver.core.MultimodalDecoder;
import perceiver.core.Perceiver;
import perceiver.core.PerceiverEncoder;
import perceiver.io.flow.FlowPreprocessor;
import perceiver.io.image.ImagePreprocessor;
import perceiver.io.multimodal.MultimodalPreprocessor;
import perceiver.io.position.FourierFeatures;
import perceiver.io.text.TextPreprocessor;
import perceiver.nn.Attention;
import perceiver.nn.AttentionLayer;
import perceiver.nn.CrossAttention;
import perceiver.nn.LayerNorm;
import perceiver.nn.Linear;
import perceiver.nn.Mlp;
import perceiver.nn.SelfAttention;
import perceiver.tensor.Tensor;

/**
 * The Hugging Face layout of the Perceiver trunk and decoders: the only place that knows HF's key names below a
 * model family's prefix, and HF's rules for default channel counts (golden README points 1-8, 11).
 */
final class HfModules {
    private HfModules() {}

    /** Arguments of HF's {@code PerceiverBasicDecoder} that shape its weights. */
    record DecoderArgs(int numChannels, Integer qkChannels, Integer vChannels, int heads, int widening,
                       boolean queryResidual, Integer finalProjection) {}

    /** Prefix of the trunk in the task models ({@code PerceiverFor*}); the bare {@code PerceiverModel} has none. */
    static final String TRUNK = "perceiver.";

    /** {@code PerceiverTextPreprocessor}: token and position embedding tables. */
    static TextPreprocessor textPreprocessor(Parameters p, PerceiverConfig c) {
        String s = TRUNK + "input_preprocessor.";
        return new TextPreprocessor(p.get(s + "embeddings.weight", c.vocabSize(), c.dModel()),
                p.get(s + "position_embeddings.weight", c.maxPositionEmbeddings(), c.dModel()));
    }

    /** {@code PerceiverImagePreprocessor} of the three ImageNet models (prep_type conv1x1 / pixels / conv). */
    static ImagePreprocessor imagePreprocessor(Parameters p, PerceiverConfig c, String prepType) {
        String s = TRUNK + "input_preprocessor.";
        return switch (prepType) {
            case "conv1x1" -> ImagePreprocessor.Conv1x1.of(p.get(s + "convnet_1x1.weight", 256, 3, 1, 1),
                    p.get(s + "convnet_1x1.bias", 256),
                    p.get(s + "position_embeddings.position_embeddings", c.imageSize() * c.imageSize(), 256),
                    linear(p, s + "positions_projection.", 256, 256));
            case "pixels" -> new ImagePreprocessor.Pixels(new FourierFeatures(64, new int[] {224, 224}, true, false));
            case "conv" -> {
                String b = s + "convnet.batchnorm.";
                ImagePreprocessor.ConvStem stem = new ImagePreprocessor.ConvStem(p.get(s + "convnet.conv.weight", 64, 3, 7, 7),
                        p.get(b + "weight", 64), p.get(b + "bias", 64), p.get(b + "running_mean", 64),
                        p.get(b + "running_var", 64), new FourierFeatures(64, new int[] {56, 56}, true, false));
                p.ignore(b + "num_batches_tracked");
                yield stem;
            }
            default -> throw new IllegalArgumentException("unknown image prep_type " + prepType);
        };
    }

    /** The optical-flow patch preprocessor: {@code conv_after_patches} Linear(54 → 64) and 2-D Fourier (64 bands). */
    static FlowPreprocessor flowPreprocessor(Parameters p, PerceiverConfig c) {
        return new FlowPreprocessor(linear(p, TRUNK + "input_preprocessor.conv_after_patches.", 54, 64),
                new FourierFeatures(64, c.trainSize(), true, false));
    }

    /** HF hard-codes the label query width and the multimodal decoder's output width. */
    static final int MULTIMODAL_LABEL_QUERY = 1024, MULTIMODAL_DECODER_OUT = 512, MULTIMODAL_DECODER_PADDING = 2;

    /** {@code PerceiverForMultimodalAutoencoding} with the modalities audio, image (video), label. */
    static MultimodalAutoencoder multimodal(Parameters p, PerceiverConfig c) {
        int nAudio = c.numFrames() * c.audioSamplesPerFrame(), spp = c.samplesPerPatch(), labels = c.numLabels();
        FourierFeatures audioPos = new FourierFeatures(192, new int[] {nAudio}, true, false);
        FourierFeatures videoPos = new FourierFeatures(32, new int[] {c.numFrames(), c.imageSize(), c.imageSize()}, true, false);
        Map<String, Integer> inChannels = MultimodalPreprocessor.modalityChannels(spp, audioPos, videoPos, labels);
        int width = MultimodalPreprocessor.channels(inChannels);
        String s = TRUNK + "input_preprocessor.";
        Map<String, Tensor> padding = new LinkedHashMap<>(), mask = new LinkedHashMap<>();
        for (String m : MultimodalPreprocessor.MODALITIES) padding.put(m, p.get(s + "padding." + m, 1, width - inChannels.get(m)));
        for (String m : MultimodalPreprocessor.MODALITIES) mask.put(m, p.get(s + "mask." + m, 1, width));
        MultimodalPreprocessor pre = new MultimodalPreprocessor(spp, audioPos, videoPos, labels, padding, mask);

        Perceiver trunk = perceiver(p, c, TRUNK, width);
        String d = TRUNK + "decoder.";
        Tensor labelQuery = decoderQueries(p, d + "modalities.label.decoder.", 1, MULTIMODAL_LABEL_QUERY);
        Map<String, Integer> queryChannels = Map.of("audio", audioPos.numChannels(), "image", videoPos.numChannels(),
                "label", MULTIMODAL_LABEL_QUERY);
        int queryWidth = queryChannels.values().stream().mapToInt(Integer::intValue).max().orElseThrow()
                + MULTIMODAL_DECODER_PADDING;
        BasicDecoder basic = basicDecoder(p, c, d + "decoder.",
                new DecoderArgs(queryWidth, null, null, 1, 1, false, MULTIMODAL_DECODER_OUT));
        Map<String, Tensor> queryPadding = new LinkedHashMap<>();
        for (String m : MultimodalPreprocessor.MODALITIES) {
            queryPadding.put(m, p.get(d + "padding." + m, 1, queryWidth - queryChannels.get(m)));
        }
        MultimodalDecoder decoder = new MultimodalDecoder(MultimodalPreprocessor.MODALITIES, queryPadding, queryWidth, basic);
        String o = TRUNK + "output_postprocessor.modalities.";
        // the postprocessors' linear layers, prepared so that untraced decoding moves each into the decoder
        Map<String, BasicDecoder.Head> heads = new LinkedHashMap<>();
        heads.put("audio", basic.head(linear(p, o + "audio.classifier.", MULTIMODAL_DECODER_OUT, spp)));
        heads.put("image", basic.head(linear(p, o + "image.classifier.", MULTIMODAL_DECODER_OUT, 3)));
        heads.put("label", basic.head(linear(p, o + "label.classifier.", MULTIMODAL_DECODER_OUT, labels)));
        return new MultimodalAutoencoder(c, pre, trunk, audioPos, videoPos, labelQuery, decoder, heads);
    }

    /** {@code PerceiverEmbeddingDecoder}: the MLM head, tied to the input token embedding, with its own bias. */
    static Linear embeddingDecoder(Parameters p, PerceiverConfig c, TextPreprocessor text) {
        return Linear.of(text.tokens(), p.get("embedding_decoder.bias", c.vocabSize()));
    }

    /** The trainable query table of a decoder ({@code output_position_encodings}), {@code [O, C]}. */
    static Tensor decoderQueries(Parameters p, String decoderPrefix, int count, int channels) {
        return p.get(decoderPrefix + "output_position_encodings.position_embeddings", count, channels);
    }

    /** Where the decoder's weights sit: {@code decoder.} in the bare model; task models nest it. */
    static String decoderPrefix(String trunkPrefix, boolean classification) {
        return trunkPrefix + (classification ? "decoder.decoder." : "decoder.");
    }

    /** {@code PerceiverClassificationDecoder} with HF's arguments: one learned query of d_latents, residual on. */
    static ClassificationDecoder classificationDecoder(Parameters p, PerceiverConfig c, String trunkPrefix, DecoderArgs a) {
        String prefix = decoderPrefix(trunkPrefix, true);
        return new ClassificationDecoder(decoderQueries(p, prefix, 1, a.numChannels()), basicDecoder(p, c, prefix, a));
    }

    /** The decoder arguments HF's task models pass to {@code PerceiverClassificationDecoder}. */
    static DecoderArgs classificationArgs(PerceiverConfig c) {
        return new DecoderArgs(c.dLatents(), null, null, 1, 1, true, c.numLabels());
    }

    /** Encoder cross-attention and the shared latent self-attention block; {@code kvDim} = input channels. */
    static Perceiver perceiver(Parameters p, PerceiverConfig c, String prefix, int kvDim) {
        int d = c.dLatents();
        if (d % c.numSelfAttentionHeads() != 0 || d % c.numCrossAttentionHeads() != 0) {
            throw new CheckpointException(c.source() + ": d_latents " + d + " must be divisible by num_self_attention_heads "
                    + c.numSelfAttentionHeads() + " and num_cross_attention_heads " + c.numCrossAttentionHeads());
        }
        Tensor latents = p.get(prefix + "embeddings.latents", c.numLatents(), d);
        AttentionLayer cross = layer(p, c, prefix + "encoder.cross_attention.", true, d, kvDim,
                c.qkChannels(), c.vChannels(), c.numCrossAttentionHeads(), c.crossAttentionWideningFactor(),
                c.useQueryResidual());
        List<SelfAttention> selfAttends = new ArrayList<>();
        for (int i = 0; i < c.numSelfAttendsPerBlock(); i++) {
            selfAttends.add(new SelfAttention(layer(p, c, prefix + "encoder.self_attends." + i + ".", false, d, d,
                    c.qkChannels(), c.vChannels(), c.numSelfAttentionHeads(), c.selfAttentionWideningFactor(), true)));
        }
        return new Perceiver(new PerceiverEncoder(latents, new CrossAttention(cross)),
                new LatentProcess(selfAttends, c.numBlocks()));
    }

    /** {@code PerceiverBasicDecoder} minus its query: cross-attention onto the latents and the final layer. */
    static BasicDecoder basicDecoder(Parameters p, PerceiverConfig c, String prefix, DecoderArgs a) {
        AttentionLayer cross = layer(p, c, prefix + "decoding_cross_attention.", true, a.numChannels(), c.dLatents(),
                a.qkChannels(), a.vChannels(), a.heads(), a.widening(), a.queryResidual());
        Linear last = a.finalProjection() == null ? null
                : linear(p, prefix + "final_layer.", a.numChannels(), a.finalProjection());
        return new BasicDecoder(new CrossAttention(cross), last);
    }

    /**
     * HF's {@code PerceiverLayer}: pre-LN attention ({@code attention.self.*}, {@code attention.output.dense}),
     * then {@code layernorm} and {@code mlp.dense1/dense2}. Channel defaults as HF's {@code PerceiverAttention}:
     * cross-attention qk = q_dim or kv_dim per {@code cross_attention_shape_for_attention}, self-attention qk = q_dim,
     * v = qk; the output projection maps v to q_dim (cross) or v (self).
     */
    static AttentionLayer layer(Parameters p, PerceiverConfig c, String prefix, boolean cross, int qDim, int kvDim,
                                Integer qk, Integer v, int heads, int widening, boolean queryResidual) {
        int qkCh;
        if (qk != null) {
            qkCh = qk;
        } else if (!cross) {
            qkCh = qDim;
        } else {
            qkCh = switch (c.crossAttentionShapeForAttention()) {
                case "q" -> qDim;
                case "kv" -> kvDim;
                default -> throw new CheckpointException(c.source() + ": cross_attention_shape_for_attention must be 'q' or 'kv', got '"
                        + c.crossAttentionShapeForAttention() + "'");
            };
        }
        int vCh = v != null ? v : qkCh;
        int outCh = cross ? qDim : vCh;
        if (qkCh % heads != 0 || vCh % heads != 0) {
            throw new CheckpointException(c.source() + ": " + prefix + " qk_channels " + qkCh + " and v_channels " + vCh
                    + " must be divisible by num_heads " + heads);
        }
        if (!cross && outCh != qDim) {
            throw new CheckpointException(c.source() + ": " + prefix + " self-attention v_channels " + vCh
                    + " must equal d_latents " + qDim + " (residual connection)");
        }
        String s = prefix + "attention.self.";
        LayerNorm qNorm = layerNorm(p, s + "layernorm1.", qDim);
        LayerNorm kvNorm = cross ? layerNorm(p, s + "layernorm2.", kvDim) : null;
        Attention attention = new Attention(linear(p, s + "query.", qDim, qkCh), linear(p, s + "key.", kvDim, qkCh),
                linear(p, s + "value.", kvDim, vCh), linear(p, prefix + "attention.output.dense.", vCh, outCh), heads);
        Mlp mlp = new Mlp(linear(p, prefix + "mlp.dense1.", qDim, widening * qDim),
                linear(p, prefix + "mlp.dense2.", widening * qDim, qDim));
        return new AttentionLayer(qNorm, kvNorm, attention, queryResidual,
                layerNorm(p, prefix + "layernorm.", qDim), mlp);
    }

    static Linear linear(Parameters p, String prefix, int in, int out) {
        return Linear.of(p.get(prefix + "weight", out, in), p.get(prefix + "bias", out));
    }

    static LayerNorm layerNorm(Parameters p, String prefix, int n) {
        return new LayerNorm(p.get(prefix + "weight", n), p.get(prefix + "bias", n), LayerNorm.TORCH_DEFAULT_EPS);
    }
}
