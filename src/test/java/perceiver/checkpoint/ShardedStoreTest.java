package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import perceiver.tensor.Tensor;

class ShardedStoreTest {
    static final Path GOLDEN = Path.of("golden/basic-model/weights.safetensors");

    @TempDir
    Path dir;

    /** Splits the golden file into {@code n} shards of consecutive tensors; returns tensor → shard file name. */
    private Map<String, String> split(int n) {
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (TensorStore golden = SafetensorsReader.open(GOLDEN)) {
            List<String> names = golden.names();
            for (int s = 0; s < n; s++) {
                String file = String.format("model-%05d-of-%05d.safetensors", s + 1, n);
                SafetensorsWriter w = SafetensorsWriter.create().metadata("format", "pt");
                for (String name : names.subList(s * names.size() / n, (s + 1) * names.size() / n)) {
                    w.copy(golden, name);
                    weightMap.put(name, file);
                }
                w.write(dir.resolve(file));
            }
        }
        return weightMap;
    }

    private Path index(Map<String, String> weightMap) throws IOException {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        root.putObject("metadata").put("total_size", 63792);
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        return Files.writeString(dir.resolve("model.safetensors.index.json"), root.toPrettyString());
    }

    private String failure(Map<String, String> weightMap) throws IOException {
        Path index = index(weightMap);
        String m = assertThrows(CheckpointException.class, () -> Checkpoints.open(index).close()).getMessage();
        assertTrue(m.startsWith(index + ": "), m);
        return m;
    }

    @Test
    void shardsReadAsOneStore() throws IOException {
        Map<String, String> weightMap = split(3);
        try (TensorStore sharded = Checkpoints.open(index(weightMap));
                TensorStore golden = SafetensorsReader.open(GOLDEN)) {
            assertEquals("safetensors (3 shards)", sharded.format());
            assertEquals(Map.of("total_size", "63792"), sharded.metadata());
            StoreAssertions.assertSameTensors(golden, sharded);
        }
    }

    @Test
    void pytorchShards() throws IOException {
        Files.copy(PyTorchReaderTest.DATA.resolve("golden-bin/basic-model.bin"), dir.resolve("pytorch_model-1.bin"));
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (TensorStore golden = SafetensorsReader.open(GOLDEN)) {
            golden.names().forEach(n -> weightMap.put(n, "pytorch_model-1.bin"));
            Path index = Files.move(index(weightMap), dir.resolve("pytorch_model.bin.index.json"));
            try (TensorStore sharded = Checkpoints.open(index)) {
                assertEquals("pytorch zip (1 shard)", sharded.format());
                StoreAssertions.assertSameTensors(golden, sharded);
            }
        }
    }

    @Test
    void missingShard() throws IOException {
        Map<String, String> weightMap = split(2);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        String m = failure(weightMap);
        assertTrue(m.contains("model-00002-of-00002.safetensors") && m.contains("does not exist"), m);
        String first = weightMap.entrySet().stream().filter(e -> e.getValue().startsWith("model-00002")).findFirst()
                .orElseThrow().getKey();
        assertTrue(m.contains("'" + first + "'"), m);
    }

    @Test
    void tensorMappedToAShardWithoutIt() throws IOException {
        Map<String, String> weightMap = split(2);
        weightMap.put("extra.weight", "model-00001-of-00002.safetensors");
        String m = failure(weightMap);
        assertTrue(m.contains("'extra.weight'") && m.contains("'model-00001-of-00002.safetensors'")
                && m.contains("does not hold it"), m);
    }

    @Test
    void tensorInTwoShards() throws IOException {
        Map<String, String> weightMap = split(2);
        SafetensorsWriter.create().add("embeddings.latents", Tensor.zeros(8, 24)).add("other", Tensor.zeros(1))
                .write(dir.resolve("dup.safetensors"));
        weightMap.put("other", "dup.safetensors");
        String m = failure(weightMap);
        assertTrue(m.contains("'embeddings.latents'") && m.contains("two shards")
                && m.contains("'model-00001-of-00002.safetensors'") && m.contains("'dup.safetensors'"), m);
    }

    @Test
    void shardHoldsATensorTheIndexMapsElsewhere() throws IOException {
        Map<String, String> weightMap = split(2);
        List<String> names = new ArrayList<>(weightMap.keySet());
        String last = names.get(names.size() - 1);
        weightMap.remove(last);
        String m = failure(weightMap);
        assertTrue(m.contains("'" + last + "'") && m.contains("does not list"), m);
    }

    @Test
    void shardOutsideTheFolderIsRefused() throws IOException {
        Map<String, String> weightMap = new LinkedHashMap<>();
        weightMap.put("w", "../elsewhere.safetensors");
        String m = failure(weightMap);
        assertTrue(m.contains("'w'") && m.contains("'../elsewhere.safetensors'") && m.contains("not a file name"), m);
    }

    @Test
    void malformedIndexes() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        for (String[] c : new String[][] {
                {"{\"weight_map\": {}}", "non-empty \"weight_map\""},
                {"[]", "JSON object"},
                {"{\"weight_map\": {\"w\": 3}}", "tensor 'w'"},
                {"{\"weight_map\": {\"w\": \"a\", \"w\": \"b\"}}", "Duplicate field 'w'"},
                {"{\"metadata\": 1, \"weight_map\": {\"w\": \"a\"}}", "\"metadata\" must be an object"},
                {"{\"weight_map\": ", "not valid JSON"}}) {
            Files.writeString(index, c[0]);
            String m = assertThrows(CheckpointException.class, () -> Checkpoints.open(index)).getMessage();
            assertTrue(m.startsWith(index + ": ") && m.contains(c[1]), m);
        }
        String m = assertThrows(CheckpointException.class,
                () -> Checkpoints.open(dir.resolve("absent.index.json"))).getMessage();
        assertTrue(m.contains("no such file"), m);
    }
}
