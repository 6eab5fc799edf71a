package perceiver.models;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import perceiver.core.BasicDecoder;
import perceiver.core.ClassificationDecoder;
import perceiver.core.Perceiver;
import perceiver.core.Trace;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * HF's bare {@code PerceiverModel} with no preprocessor: the input array {@code [B, M, d_model]} is given as floats,
 * and the decoder is described by the {@code constructor.decoder} entry of the config (golden cases record it;
 * HF's config alone does not say which decoder a bare model has). Supported decoders: {@code PerceiverBasicDecoder}
 * with trainable position queries, and {@code PerceiverClassificationDecoder}.
 */
public record GenericModel(PerceiverConfig config, Perceiver perceiver, Tensor queries, BasicDecoder decoder,
                           ClassificationDecoder classifier) implements PerceiverTask {
    public static final String MODEL_CLASS = "PerceiverModel";

    static GenericModel build(PerceiverConfig c, Parameters p) {
        JsonNode spec = c.extra().path("constructor").path("decoder");
        String cls = spec.path("cls").asText("");
        JsonNode kw = spec.path("kwargs");
        Perceiver trunk = HfModules.perceiver(p, c, "", c.dModel());
        int channels = kw.path("num_channels").asInt(128);
        HfModules.DecoderArgs args = new HfModules.DecoderArgs(channels,
                optionalInt(kw, "qk_channels"), optionalInt(kw, "v_channels"),
                kw.path("num_heads").asInt(1), kw.path("widening_factor").asInt(1),
                kw.path("use_query_residual").asBoolean(cls.equals("PerceiverClassificationDecoder")),
                kw.path("final_project").asBoolean(true) ? finalChannels(c, cls, kw) : null);
        switch (cls) {
            case "PerceiverBasicDecoder" -> {
                requireSupported(c, kw);
                JsonNode pos = kw.path("trainable_position_encoding_kwargs");
                int count = indexCount(c, pos.path("index_dims"));
                int posChannels = pos.path("num_channels").asInt(channels);
                if (posChannels != channels) throw unsupported(c, "trainable queries of " + posChannels
                        + " channels projected to num_channels " + channels);
                String prefix = HfModules.decoderPrefix("", false);
                return new GenericModel(c, trunk, HfModules.decoderQueries(p, prefix, count, channels),
                        HfModules.basicDecoder(p, c, prefix, args), null);
            }
            case "PerceiverClassificationDecoder" -> {
                return new GenericModel(c, trunk, null, null, HfModules.classificationDecoder(p, c, "", args));
            }
            default -> throw unsupported(c, "a bare PerceiverModel needs 'constructor.decoder.cls' naming"
                    + " PerceiverBasicDecoder or PerceiverClassificationDecoder, got '" + cls + "'");
        }
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        Tensor x = in.tensor("inputs");
        if (x.rank() != 3 || x.dim(2) != config.dModel()) {
            throw new IllegalArgumentException("inputs must be [batch, M, " + config.dModel() + "], got " + x);
        }
        A latents = perceiver.encode(be, be.upload(x), Masks.additive(in.optionalLongs("attention_mask"), x), trace);
        Tensor logits;
        if (classifier != null) {
            logits = classifier.decode(be, latents, trace);
        } else {
            logits = decoder.decode(be, queries.repeat(x.dim(0)), latents, trace);
            trace.put("decoder.output", logits);
        }
        trace.put("logits", logits);
        return Map.of("logits", logits);
    }

    private static Integer finalChannels(PerceiverConfig c, String cls, JsonNode kw) {
        return cls.equals("PerceiverClassificationDecoder") ? c.numLabels() : kw.path("output_num_channels").asInt();
    }

    private static Integer optionalInt(JsonNode kw, String key) {
        return kw.hasNonNull(key) ? kw.get(key).asInt() : null;
    }

    private static int indexCount(PerceiverConfig c, JsonNode dims) {
        if (dims.isInt()) return dims.asInt();
        if (dims.isArray()) {
            int n = 1;
            for (JsonNode d : dims) n *= d.asInt();
            return n;
        }
        throw unsupported(c, "trainable_position_encoding_kwargs.index_dims missing");
    }

    private static void requireSupported(PerceiverConfig c, JsonNode kw) {
        String pos = kw.path("position_encoding_type").asText("trainable");
        if (!pos.equals("trainable")) throw unsupported(c, "decoder position_encoding_type '" + pos + "'");
        if (kw.path("concat_preprocessed_input").asBoolean(false)) throw unsupported(c, "concat_preprocessed_input");
    }

    private static UnsupportedModelException unsupported(PerceiverConfig c, String what) {
        return new UnsupportedModelException(c.source() + ": " + what + " is not supported");
    }
}
