package perceiver.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import perceiver.golden.PublishedConfig;

/**
 * Each full-size published architecture in {@code golden/published-configs/} builds with exactly the state-dict
 * keys and shapes of the reference implementation, and the same number of state-dict elements (no weights needed).
 */
class PublishedArchitectureTest {
    static final Path DIR = Path.of("golden/published-configs");

    @TestFactory
    Stream<DynamicTest> publishedArchitectures() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(PublishedConfig.load(f))));
        }
    }

    private static void check(PublishedConfig published) {
        Parameters params = Parameters.spec();
        Models.build(published.config(), params);
        List<String> problems = new ArrayList<>();
        Map<String, int[]> built = params.requested();
        published.stateDict().forEach((key, shape) -> {
            int[] ours = built.get(key);
            if (ours == null) problems.add("missing " + key + " " + Arrays.toString(shape));
            else if (!Arrays.equals(ours, shape)) problems.add(key + " is " + Arrays.toString(ours) + ", published " + Arrays.toString(shape));
        });
        built.keySet().stream().filter(k -> !published.stateDict().containsKey(k)).forEach(k -> problems.add("extra " + k));
        assertTrue(problems.isEmpty(), published.name() + ": " + problems.size() + " differences, first: "
                + problems.subList(0, Math.min(10, problems.size())));
        assertEquals(published.stateDictElements(), params.parameterCount(), "state-dict elements of " + published.name());
    }
}
