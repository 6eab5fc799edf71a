package perceiver.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import perceiver.checkpoint.CheckpointException;

/**
 * A Hugging Face {@code PerceiverConfig} ({@code config.json}), the fields the architectures read. Optional channel
 * counts are null where HF derives them (see {@link perceiver.models.HfModules}). {@code modelClass} comes from
 * {@code model_class} (golden cases) or {@code architectures[0]} (hub checkpoints); {@code extra} keeps the raw JSON
 * for what only some families read (the generic model's decoder arguments).
 */
public record PerceiverConfig(
        String modelClass,
        int numLatents, int dLatents, int dModel,
        int numBlocks, int numSelfAttendsPerBlock,
        int numSelfAttentionHeads, int numCrossAttentionHeads,
        Integer qkChannels, Integer vChannels, String crossAttentionShapeForAttention,
        int selfAttentionWideningFactor, int crossAttentionWideningFactor,
        boolean useQueryResidual,
        int vocabSize, int maxPositionEmbeddings,
        int imageSize, int[] trainSize,
        int numFrames, int audioSamplesPerFrame, int samplesPerPatch, int[] outputShape,
        Map<Integer, String> id2label,
        Path source, JsonNode extra) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public int numLabels() { return id2label.size(); }

    public static PerceiverConfig load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file + ": config is not a JSON object");
        return parse(root, file);
    }

    public static PerceiverConfig parse(JsonNode c, Path source) {
        Reader r = new Reader(c, source);
        String act = r.string("hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw new CheckpointException(source + ": hidden_act '" + act + "' is not supported (expected 'gelu')");
        }
        String modelClass = c.hasNonNull("model_class") ? c.get("model_class").asText()
                : c.path("architectures").isArray() && !c.path("architectures").isEmpty()
                        ? c.get("architectures").get(0).asText() : null;
        if (modelClass == null) {
            throw new CheckpointException(source + ": neither 'model_class' nor 'architectures' names the model class");
        }
        Map<Integer, String> labels = new TreeMap<>();
        c.path("id2label").fields().forEachRemaining(e -> {
            try {
                labels.put(Integer.parseInt(e.getKey()), e.getValue().asText());
            } catch (NumberFormatException ex) {
                throw new CheckpointException(source + ": id2label key '" + e.getKey() + "' is not an integer");
            }
        });
        if (labels.isEmpty()) {
            int n = c.path("num_labels").asInt(2);
            for (int i = 0; i < n; i++) labels.put(i, "LABEL_" + i);
        }
        return new PerceiverConfig(modelClass,
                r.positive("num_latents", 256), r.positive("d_latents", 1280), r.positive("d_model", 768),
                r.positive("num_blocks", 1), r.positive("num_self_attends_per_block", 26),
                r.positive("num_self_attention_heads", 8), r.positive("num_cross_attention_heads", 8),
                r.optionalPositive("qk_channels"), r.optionalPositive("v_channels"),
                r.string("cross_attention_shape_for_attention", "kv"),
                r.positive("self_attention_widening_factor", 1), r.positive("cross_attention_widening_factor", 1),
                c.path("use_query_residual").asBoolean(true),
                r.positive("vocab_size", 262), r.positive("max_position_embeddings", 2048),
                r.positive("image_size", 56), r.ints("train_size", 368, 496),
                r.positive("num_frames", 16), r.positive("audio_samples_per_frame", 1920),
                r.positive("samples_per_patch", 16), r.ints("output_shape", 1, 16, 224, 224),
                Map.copyOf(labels), source, c);
    }

    /** Typed access with messages naming the file, key, expected and actual value. */
    private record Reader(JsonNode c, Path source) {
        int positive(String key, int dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
                throw new CheckpointException(source + ": '" + key + "' must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        Integer optionalPositive(String key) {
            JsonNode n = c.get(key);
            return n == null || n.isNull() ? null : positive(key, 0);
        }

        String string(String key, String dflt) {
            JsonNode n = c.get(key);
            return n == null || n.isNull() ? dflt : n.asText();
        }

        int[] ints(String key, int... dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isArray()) throw new CheckpointException(source + ": '" + key + "' must be a list of integers, got " + n);
            List<Integer> v = new ArrayList<>();
            n.forEach(e -> {
                if (!e.isIntegralNumber()) {
                    throw new CheckpointException(source + ": '" + key + "' must be a list of integers, got " + n);
                }
                v.add(e.asInt());
            });
            return v.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
