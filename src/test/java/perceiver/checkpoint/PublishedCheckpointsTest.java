package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import perceiver.golden.PublishedConfig;
import perceiver.models.Models;
import perceiver.models.Parameters;

/**
 * The six full-size published architectures ({@code golden/published-configs/}) load from a generated random
 * checkpoint with exactly the published keys and shapes, in each format users have: one safetensors file, sharded
 * safetensors with an index, an F16 safetensors copy and a PyTorch {@code .bin}. Each checkpoint is written into a
 * temporary folder one tensor at a time and deleted after its check (the language model is 201M parameters, 800 MB
 * as F32).
 */
class PublishedCheckpointsTest {
    static final Path PUBLISHED = Path.of("golden/published-configs");

    @TempDir
    Path dir;

    static List<PublishedConfig> published() throws IOException {
        try (Stream<Path> files = Files.list(PUBLISHED)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().map(PublishedConfig::load).toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyPublishedArchitectureInEveryFormat() throws IOException {
        List<PublishedConfig> all = published();
        assertEquals(6, all.size(), "published configs in " + PUBLISHED);
        return all.stream().flatMap(p -> Stream.of(CheckpointFormat.values())
                .map(f -> DynamicTest.dynamicTest(p.name() + " " + f, () -> check(p, f))));
    }

    private void check(PublishedConfig published, CheckpointFormat format) throws IOException {
        RandomStore random = new RandomStore(published.name(), published.stateDict());
        Path folder = dir.resolve(published.name() + "-" + format);
        long start = System.nanoTime();
        try {
            Path weights = format.write(random, folder);
            long written = System.nanoTime();
            try (TensorStore store = Checkpoints.open(weights)) {
                assertEquals(format.storeFormat(), store.format());
                assertEquals(List.copyOf(published.stateDict().keySet()), store.names());
                for (String name : store.names()) {
                    TensorInfo info = store.info(name);
                    assertArrayEquals(published.stateDict().get(name), info.shape(), name);
                    DType expected = name.endsWith("num_batches_tracked") ? DType.I64
                            : format == CheckpointFormat.F16 ? DType.F16 : DType.F32;
                    assertEquals(expected, info.dtype(), name);
                }
                assertEquals(published.stateDictElements(), Checkpoints.describe(store).elements());

                Parameters params = Parameters.fromStore(store);
                Models.build(published.config(), params);          // throws listing every key problem at once
                assertEquals(published.stateDictElements(), params.parameterCount());
                assertSameValues(random, store, store.names().get(0), format == CheckpointFormat.F16);
            }
            System.out.printf("%-28s %-11s %,12d elements: written in %.1f s, opened, checked and built in %.1f s%n",
                    published.name(), format, published.stateDictElements(), (written - start) / 1e9,
                    (System.nanoTime() - written) / 1e9);
        } finally {
            deleteTree(folder);
        }
    }

    /** The stored values of {@code name} are the generated ones (rounded to F16 for the F16 copy). */
    private static void assertSameValues(TensorStore random, TensorStore store, String name, boolean half) {
        float[] expected = random.floats(name).toArray();
        if (half) {
            for (int i = 0; i < expected.length; i++) expected[i] = Float.float16ToFloat(Float.floatToFloat16(expected[i]));
        }
        assertArrayEquals(expected, store.floats(name).toArray(), name);
    }

    @Test
    void missingAndMisshapenKeysAreReportedTogether() throws IOException {
        PublishedConfig smallest = published().stream()
                .min(Comparator.comparingLong(PublishedConfig::stateDictElements)).orElseThrow();
        Map<String, int[]> shapes = new LinkedHashMap<>(smallest.stateDict());
        List<String> keys = new ArrayList<>(shapes.keySet());
        String dropped = keys.get(1);
        String changed = keys.get(2);
        int[] published = shapes.get(changed);
        int[] wrong = published.clone();
        wrong[0]++;
        shapes.remove(dropped);
        shapes.put(changed, wrong);
        Path weights = CheckpointFormat.SAFETENSORS.write(new RandomStore(smallest.name(), shapes), dir.resolve("bad"));
        try (TensorStore store = Checkpoints.open(weights)) {
            String m = assertThrows(CheckpointException.class,
                    () -> Models.build(smallest.config(), Parameters.fromStore(store))).getMessage();
            assertTrue(m.startsWith(weights + ": 2 problem(s) binding weights:"), m);
            assertTrue(m.contains("missing key '" + dropped + "' (expected shape "
                    + java.util.Arrays.toString(smallest.stateDict().get(dropped)) + ")"), m);
            assertTrue(m.contains("key '" + changed + "' has shape " + java.util.Arrays.toString(wrong) + ", expected "
                    + java.util.Arrays.toString(published)), m);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
