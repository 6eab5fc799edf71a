package perceiver.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import perceiver.nn.Attention;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Multimodal decoding (paper §4.4, HF {@code PerceiverMultimodalDecoder}): each modality brings its own queries
 * {@code [B, n_m, C_m]}; they are padded with a trainable vector per modality to a common width, concatenated in
 * the given (sorted) order, decoded by one {@link BasicDecoder}, and the output rows are split back per modality.
 *
 * @param padding per modality {@code [1, width - C_m]}
 */
public record MultimodalDecoder(List<String> modalities, Map<String, Tensor> padding, int width, BasicDecoder decoder) {

    /** @param queries per modality {@code [B, n_m, C_m]}; @return per modality {@code [B, n_m, out]} */
    public <A> Map<String, Tensor> decode(Backend<A> be, Map<String, Tensor> queries, A latents, Trace trace) {
        Tensor out = decoder.decode(be, concatenated(queries), latents, trace);
        trace.put("decoder.output", out);
        return split(out, queries);
    }

    /**
     * Untraced, each modality's rows followed by its own head (a postprocessor's linear layer, prepared by
     * {@code decoder().head}, so that it moves into the decoder where cheaper), against the latents' keys and values
     * from {@code decoder().memory}, formed once for many calls.
     *
     * @return per modality {@code [B, n_m, head_m.out]}
     */
    public <A> Map<String, Tensor> decode(Backend<A> be, Map<String, Tensor> queries, List<Attention.Memory<A>> memory,
                                          Map<String, BasicDecoder.Head> heads) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String modality : modalities) {
            out.put(modality, decoder.decode(be, padded(modality, queries.get(modality)), memory, heads.get(modality)));
        }
        return out;
    }

    /** Each modality's queries padded to {@code width}, concatenated in modality order: {@code [B, Σn_m, width]}. */
    private Tensor concatenated(Map<String, Tensor> queries) {
        Tensor[] padded = new Tensor[modalities.size()];
        for (int i = 0; i < padded.length; i++) padded[i] = padded(modalities.get(i), queries.get(modalities.get(i)));
        return Tensor.concatTokens(padded);
    }

    /** One modality's queries {@code [B, n, C_m]} padded to {@code [B, n, width]}. */
    private Tensor padded(String modality, Tensor q) {
        int batch = q.dim(0), n = q.dim(1);
        Tensor pad = padding.get(modality);
        return Tensor.concatLast(q, pad.repeat(batch * n).reshape(batch, n, pad.dim(-1)));
    }

    private Map<String, Tensor> split(Tensor out, Map<String, Tensor> queries) {
        Map<String, Tensor> split = new LinkedHashMap<>();
        int at = 0;
        for (String modality : modalities) {
            int n = queries.get(modality).dim(1);
            Tensor part = Tensor.zeros(out.dim(0), n, out.dim(2));
            for (int b = 0; b < out.dim(0); b++) part.get(b).copyFrom(out.get(b).rows(at, at + n));
            split.put(modality, part);
            at += n;
        }
        return split;
    }
}
