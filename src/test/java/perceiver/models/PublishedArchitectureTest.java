package perceiver.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each full-size published architecture in {@code golden/published-configs/} builds with exactly the state-dict
 * keys and shapes of the reference implementation, and the same parameter count (no weights needed).
 */
class PublishedArchitectureTest {
    static final Path DIR = Path.of("golden/published-configs");

    @TestFactory
    Stream<DynamicTest> publishedArchitectures() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        }
    }

    private static void check(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        String cls = root.get("model_class").asText();
        ObjectNode raw = root.get("config").deepCopy();
        raw.put("model_class", cls);
        PerceiverConfig config = PerceiverConfig.parse(raw, file);
        if (!Models.SUPPORTED.contains(cls)) abort(cls + " is not built yet");
        Parameters params = Parameters.spec();
        Models.build(config, params);

        Map<String, String> expected = new LinkedHashMap<>();
        for (JsonNode e : root.get("state_dict")) expected.put(e.get("key").asText(), e.get("shape").toString());
        Map<String, String> actual = new LinkedHashMap<>();
        params.requested().forEach((k, s) -> actual.put(k, java.util.Arrays.toString(s).replace(" ", "")));
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual), "keys and shapes of " + file);
        assertEquals(root.get("num_state_dict_elements").asLong(), params.parameterCount(), "state-dict elements");
    }
}
