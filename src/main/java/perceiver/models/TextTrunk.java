package perceiver.models;

import perceiver.core.Perceiver;
import perceiver.core.PerceiverEncoder;
import perceiver.core.Trace;
import perceiver.io.text.TextPreprocessor;
import perceiver.tensor.Backend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/** Byte-level text in, latents out: the part the masked-LM and the text classifier share. */
record TextTrunk(TextPreprocessor preprocessor, Perceiver perceiver) {

    static TextTrunk build(Parameters p, PerceiverConfig c) {
        TextPreprocessor text = HfModules.textPreprocessor(p, c);
        return new TextTrunk(text, HfModules.perceiver(p, c, HfModules.TRUNK, text.channels()));
    }

    /** {@code inputs [B, L]} token ids, optional {@code attention_mask [B, L]} → latents {@code [B, N, D]}. */
    <A> A encode(Backend<A> be, Inputs in, Trace trace) {
        LongTensor ids = in.longs("inputs");
        if (ids.rank() != 2) throw new IllegalArgumentException("token ids must be [batch, length], got rank " + ids.rank());
        Tensor withoutPos = preprocessor.embed(ids);
        Tensor x = preprocessor.addPositions(withoutPos);
        trace.put("preprocessor.output", x);
        trace.put("preprocessor.inputs_without_pos", withoutPos);
        return perceiver.encode(be, be.upload(x), Masks.additive(in.optionalLongs("attention_mask"), x), trace);
    }
}
