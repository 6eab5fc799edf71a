package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders and a fake Hugging Face cache in a temporary folder; the environment is passed as a map. */
class ModelLocatorTest {
    static final String ID = "deepmind/language-perceiver";

    @TempDir
    Path tmp;

    /** A cache entry in the hub layout: blobs, a snapshot of links to them, refs/main naming it. */
    private Path cachedModel(Path cache, String revision, String... files) throws IOException {
        Path repo = cache.resolve("models--deepmind--language-perceiver");
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(revision));
        Files.createDirectories(repo.resolve("blobs"));
        for (String f : files) {
            Path blob = Files.writeString(repo.resolve("blobs").resolve("blob-" + f), "{}");
            Files.createSymbolicLink(snapshot.resolve(f), Path.of("../../blobs").resolve(blob.getFileName()));
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), revision + "\n");
        return snapshot;
    }

    private String failure(String ref, Map<String, String> env) {
        return assertThrows(CheckpointException.class, () -> ModelLocator.resolve(ref, env)).getMessage();
    }

    @Test
    void hubIdInTheCacheFromHfHubCache() throws IOException {
        Path cache = tmp.resolve("hub-cache");
        Path snapshot = cachedModel(cache, "0123abcd", "config.json", "pytorch_model.bin", "model.safetensors");
        ModelFiles files = ModelLocator.resolve(ID, Map.of("HF_HUB_CACHE", cache.toString(), "HF_HOME", "/nowhere"));
        assertEquals(snapshot, files.directory());
        assertEquals(snapshot.resolve("config.json"), files.config());
        assertEquals(snapshot.resolve("model.safetensors"), files.weights());
    }

    @Test
    void cacheRootPrecedence() {
        assertEquals(Path.of("/a"), ModelLocator.cacheRoot(Map.of("HF_HUB_CACHE", "/a", "HF_HOME", "/b")));
        assertEquals(Path.of("/b/hub"), ModelLocator.cacheRoot(Map.of("HF_HOME", "/b", "XDG_CACHE_HOME", "/c")));
        assertEquals(Path.of("/c/huggingface/hub"),
                ModelLocator.cacheRoot(Map.of("XDG_CACHE_HOME", "/c", "HOME", "/h")));
        assertEquals(Path.of("/h/.cache/huggingface/hub"),
                ModelLocator.cacheRoot(Map.of("HOME", "/h", "HF_HOME", " ")));
    }

    @Test
    void hfHomeAndHomeDefaults() throws IOException {
        Path snapshot = cachedModel(tmp.resolve("hf-home/hub"), "rev1", "config.json", "model.safetensors.index.json");
        assertEquals(snapshot.resolve("model.safetensors.index.json"),
                ModelLocator.resolve(ID, Map.of("HF_HOME", tmp.resolve("hf-home").toString())).weights());
        Path home = cachedModel(tmp.resolve("home/.cache/huggingface/hub"), "rev2", "config.json", "pytorch_model.bin");
        assertEquals(home.resolve("pytorch_model.bin"),
                ModelLocator.resolve(ID, Map.of("HOME", tmp.resolve("home").toString())).weights());
    }

    @Test
    void missingModelSaysHowToDownloadItAndWhereWeLooked() {
        Path cache = tmp.resolve("empty-cache");
        String m = failure(ID, Map.of("HF_HUB_CACHE", cache.toString()));
        assertTrue(m.contains("not in the local Hugging Face cache"), m);
        assertTrue(m.contains(cache.resolve("models--deepmind--language-perceiver").toString()), m);
        assertTrue(m.contains("huggingface-cli download deepmind/language-perceiver"), m);
        assertTrue(m.contains("snapshot_download('deepmind/language-perceiver')"), m);
    }

    @Test
    void snapshotWithoutWeightsOrWithABrokenLink() throws IOException {
        Path cache = tmp.resolve("c");
        Path snapshot = cachedModel(cache, "r", "config.json", "tf_model.h5");
        Files.createSymbolicLink(snapshot.resolve("model.safetensors"), Path.of("../../blobs/not-yet-downloaded"));
        String m = failure(ID, Map.of("HF_HUB_CACHE", cache.toString()));
        assertTrue(m.contains("no weights file") && m.contains("model.safetensors (broken link"), m);
        assertTrue(m.contains("tf_model.h5") && m.contains("huggingface-cli download " + ID), m);
    }

    @Test
    void refsMainNamingAMissingSnapshot() throws IOException {
        Path cache = tmp.resolve("c");
        cachedModel(cache, "r", "config.json", "model.safetensors");
        Files.writeString(cache.resolve("models--deepmind--language-perceiver/refs/main"), "feedbeef");
        String m = failure(ID, Map.of("HF_HUB_CACHE", cache.toString()));
        assertTrue(m.contains("revision 'feedbeef'") && m.contains("no folder"), m);
    }

    @Test
    void withoutRefsMainTheOnlySnapshotIsUsed() throws IOException {
        Path cache = tmp.resolve("c");
        Path snapshot = cachedModel(cache, "only", "config.json", "model.safetensors");
        Files.delete(cache.resolve("models--deepmind--language-perceiver/refs/main"));
        assertEquals(snapshot, ModelLocator.resolve(ID, Map.of("HF_HUB_CACHE", cache.toString())).directory());
        Files.createDirectories(snapshot.resolveSibling("other"));
        assertTrue(failure(ID, Map.of("HF_HUB_CACHE", cache.toString())).contains("2 snapshots"));
    }

    @Test
    void directoryAndFileReferences() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("my-model"));
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("pytorch_model.bin"), "");
        assertEquals(dir.resolve("pytorch_model.bin"), ModelLocator.resolve(dir.toString(), Map.of()).weights());
        Files.writeString(dir.resolve("model.safetensors"), "");
        assertEquals(dir.resolve("model.safetensors"), ModelLocator.resolve(dir.toString(), Map.of()).weights());
        Path file = dir.resolve("pytorch_model.bin");
        ModelFiles f = ModelLocator.resolve(file.toString(), Map.of());
        assertEquals(file, f.weights());
        assertEquals(dir.resolve("config.json"), f.config());
    }

    @Test
    void goldenCaseByWeightsFile() {
        ModelFiles f = ModelLocator.resolve("golden/basic-model/weights.safetensors", Map.of());
        assertEquals(Path.of("golden/basic-model/config.json").toAbsolutePath(), f.config());
        try (TensorStore weights = f.openWeights()) {
            assertEquals(72, weights.names().size());
        }
        ModelFiles folder = ModelLocator.resolve("golden/basic-model", Map.of());     // the golden cases' file name
        assertEquals(Path.of("golden/basic-model/weights.safetensors"), folder.weights());
    }

    @Test
    void folderWithoutConfigAndBadReferences() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bare"));
        assertTrue(failure(dir.toString(), Map.of()).contains("no config.json (the folder holds nothing)"));
        assertTrue(failure("no/such/thing/here", Map.of()).contains("not a hub id"));
        assertTrue(failure("not-a-hub-id", Map.of()).contains("no such folder or file"));
    }
}
