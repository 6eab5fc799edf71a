package perceiver.models;

import java.util.Map;

import perceiver.core.BasicDecoder;
import perceiver.core.Trace;
import perceiver.io.text.ByteTokenizer;
import perceiver.tensor.Backend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Byte-level masked language modelling (paper §4.1, HF {@code PerceiverForMaskedLM}): text preprocessor, trunk, a
 * decoder with one learned query per position ({@code max_position_embeddings} of them, 8 heads, qk 256, no
 * residual, no final projection), and the MLM head tied to the input embedding.
 * {@code inputs [B, L] → logits [B, max_positions, vocab]}.
 */
public record MaskedLanguageModel(PerceiverConfig config, TextTrunk trunk, Tensor queries, BasicDecoder decoder,
                                  BasicDecoder.Head head) implements PerceiverTask {
    public static final String MODEL_CLASS = "PerceiverForMaskedLM";
    /** HF hard-codes these decoder arguments for the MLM model. */
    private static final int DECODER_HEADS = 8, DECODER_QK = 8 * 32;

    static MaskedLanguageModel build(PerceiverConfig c, Parameters p) {
        TextTrunk trunk = TextTrunk.build(p, c);
        int ch = trunk.preprocessor().channels();
        String prefix = HfModules.decoderPrefix(HfModules.TRUNK, false);
        Tensor queries = HfModules.decoderQueries(p, prefix, c.maxPositionEmbeddings(), ch);
        BasicDecoder decoder = HfModules.basicDecoder(p, c, prefix,
                new HfModules.DecoderArgs(ch, DECODER_QK, ch, DECODER_HEADS, 1, false, null));
        // the MLM head, prepared so that untraced passes move it into the decoder where cheaper
        return new MaskedLanguageModel(c, trunk, queries, decoder,
                decoder.head(HfModules.embeddingDecoder(p, c, trunk.preprocessor())));
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        A latents = trunk.encode(be, in, trace);
        Tensor q = queries.repeat(be.shape(latents)[0]);
        Tensor logits;
        if (trace.on()) {
            Tensor out = decoder.decode(be, q, latents, trace);
            trace.put("decoder.output", out);
            logits = head.head().forward(out);
            trace.put("logits", logits);
        } else {
            logits = decoder.decode(be, q, decoder.memory(be, latents, q.dim(1)), head);
        }
        return Map.of("logits", logits);
    }

    /**
     * Replaces each {@code [MASK]} in {@code text} by the most likely byte, one byte per mark. Bytes that do not
     * form valid UTF-8 together come out as U+FFFD.
     */
    public String fillMask(String text) {
        return fillMask(perceiver.tensor.CpuBackend.INSTANCE, text);
    }

    /** {@link #fillMask(String)} with the trunk and decoder on {@code be}. */
    public String fillMask(Backend<?> be, String text) {
        int len = config.maxPositionEmbeddings();
        ByteTokenizer.Encoding enc = ByteTokenizer.encode(text, len);
        Inputs in = new Inputs().put("inputs", new LongTensor(enc.ids(), new int[] {1, len}))
                .put("attention_mask", new LongTensor(enc.mask(), new int[] {1, len}));
        Tensor logits = forward(be, in, Trace.OFF).get("logits");
        long[] filled = enc.ids().clone();
        int vocab = logits.dim(2);
        for (int i = 0; i < enc.used(); i++) {
            if (filled[i] != ByteTokenizer.MASK) continue;
            int best = ByteTokenizer.OFFSET;
            for (int v = ByteTokenizer.OFFSET; v < vocab; v++) {
                if (logits.at(0, i, v) > logits.at(0, i, best)) best = v;
            }
            filled[i] = best;
        }
        return ByteTokenizer.decode(filled, 0, enc.used());
    }
}
