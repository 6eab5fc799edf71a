package perceiver.models;

import java.util.Map;

import perceiver.core.ClassificationDecoder;
import perceiver.core.Trace;
import perceiver.io.text.ByteTokenizer;
import perceiver.tensor.Backend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Byte-level text classification (paper §4.1 GLUE, HF {@code PerceiverForSequenceClassification}): text
 * preprocessor, trunk, classification decoder. {@code inputs [B, L] → logits [B, num_labels]}.
 */
public record TextClassifier(PerceiverConfig config, TextTrunk trunk, ClassificationDecoder decoder)
        implements PerceiverTask {
    public static final String MODEL_CLASS = "PerceiverForSequenceClassification";

    static TextClassifier build(PerceiverConfig c, Parameters p) {
        TextTrunk trunk = TextTrunk.build(p, c);
        return new TextClassifier(c, trunk,
                HfModules.classificationDecoder(p, c, HfModules.TRUNK, HfModules.classificationArgs(c)));
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        Tensor logits = decoder.decode(be, trunk.encode(be, in, trace), trace);
        trace.put("logits", logits);
        return Map.of("logits", logits);
    }

    /** Class logits of one text (unpadded: the sequence is exactly [CLS] bytes [SEP]). */
    public float[] classify(String text) {
        return classify(perceiver.tensor.CpuBackend.INSTANCE, text);
    }

    /** {@link #classify(String)} with the trunk and decoder on {@code be}. */
    public float[] classify(Backend<?> be, String text) {
        ByteTokenizer.Encoding enc = ByteTokenizer.encode(text, config.maxPositionEmbeddings());
        long[] ids = java.util.Arrays.copyOf(enc.ids(), enc.used());
        Inputs in = new Inputs().put("inputs", new LongTensor(ids, new int[] {1, ids.length}));
        return forward(be, in, Trace.OFF).get("logits").toArray();
    }
}
