package perceiver.golden;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import perceiver.checkpoint.CheckpointException;
import perceiver.models.PerceiverConfig;

/**
 * An entry of {@code golden/published-configs/}: the full-size configuration of a published DeepMind model, its
 * model class, parameter count and every state-dict key with its shape. The label table of the ImageNet / Kinetics
 * models is stored as a placeholder ({@code "<1000 generic labels LABEL_0..LABEL_999>"}), expanded here.
 */
public record PublishedConfig(String name, String hubId, PerceiverConfig config, Map<String, int[]> stateDict,
                              long stateDictElements) {
    private static final Pattern PLACEHOLDER = Pattern.compile("<(\\d+) generic labels.*>");

    public static PublishedConfig load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        ObjectNode raw = root.get("config").deepCopy();
        raw.put("model_class", root.get("model_class").asText());
        if (raw.path("id2label").isTextual()) {
            Matcher m = PLACEHOLDER.matcher(raw.get("id2label").asText());
            if (!m.matches()) throw new CheckpointException(file + ": unreadable id2label " + raw.get("id2label"));
            ObjectNode labels = raw.putObject("id2label");
            for (int i = 0; i < Integer.parseInt(m.group(1)); i++) labels.put(String.valueOf(i), "LABEL_" + i);
        }
        Map<String, int[]> keys = new LinkedHashMap<>();
        for (JsonNode e : root.get("state_dict")) {
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asInt();
            keys.put(e.get("key").asText(), shape);
        }
        return new PublishedConfig(root.path("name").asText(), root.path("hub_id").asText(),
                PerceiverConfig.parse(raw, file), keys, root.get("num_state_dict_elements").asLong());
    }
}
