package perceiver.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a model's files from a reference: a folder holding {@code config.json} and weights, or a Hugging Face hub
 * id {@code org/name} looked up in the local cache ({@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
 * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}) in its
 * {@code models--ORG--NAME/snapshots/<revision>/} layout, the revision named by {@code refs/main}. Nothing is
 * downloaded; when a model is missing the error says which command downloads it and where we looked.
 */
public final class ModelLocator {
    /** Weights file names in order of preference; {@code weights.safetensors} is the golden cases' name. */
    static final List<String> WEIGHTS = List.of("model.safetensors", "model.safetensors.index.json",
            "pytorch_model.bin", "pytorch_model.bin.index.json", "weights.safetensors");

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    private ModelLocator() {}

    /** Resolves {@code ref} against this process's environment. */
    public static ModelFiles resolve(String ref) { return resolve(ref, System.getenv()); }

    /**
     * Resolves {@code ref}: an existing folder, an existing weights file (config.json beside it), or a hub id,
     * with the given environment variables ({@code HF_HUB_CACHE}, {@code HF_HOME},
     * {@code XDG_CACHE_HOME}, {@code HOME}; the {@code user.home} property stands in for a missing HOME).
     */
    public static ModelFiles resolve(String ref, Map<String, String> env) {
        Path path = Path.of(ref);
        if (Files.isDirectory(path)) return inDirectory(path, "");
        if (Files.isRegularFile(path)) {
            Path dir = path.toAbsolutePath().getParent();
            return new ModelFiles(dir, config(dir, ""), path);
        }
        if (!HUB_ID.matcher(ref).matches()) {
            throw new CheckpointException("model '" + ref + "': no such folder or file, and not a hub id of the form"
                    + " org/name");
        }
        return inCache(ref, env);
    }

    private static ModelFiles inCache(String id, Map<String, String> env) {
        Path cache = cacheRoot(env);
        Path repo = cache.resolve("models--" + id.replace("/", "--"));
        String download = "; download it with\n  huggingface-cli download " + id
                + "\nor\n  python -c \"from huggingface_hub import snapshot_download; snapshot_download('" + id
                + "')\"";
        if (!Files.isDirectory(repo)) {
            throw new CheckpointException("model '" + id + "' is not in the local Hugging Face cache (looked for "
                    + repo + ")" + download);
        }
        Path snapshot = snapshot(id, repo, download);
        return inDirectory(snapshot, download);
    }

    static Path cacheRoot(Map<String, String> env) {
        if (isSet(env, "HF_HUB_CACHE")) return Path.of(env.get("HF_HUB_CACHE"));
        if (isSet(env, "HF_HOME")) return Path.of(env.get("HF_HOME"), "hub");
        if (isSet(env, "XDG_CACHE_HOME")) return Path.of(env.get("XDG_CACHE_HOME"), "huggingface", "hub");
        String home = isSet(env, "HOME") ? env.get("HOME") : System.getProperty("user.home");
        return Path.of(home, ".cache", "huggingface", "hub");
    }

    private static boolean isSet(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    /** The snapshot {@code refs/main} names, or the only snapshot when there is no {@code refs/main}. */
    private static Path snapshot(String id, Path repo, String download) {
        Path ref = repo.resolve("refs").resolve("main");
        Path snapshots = repo.resolve("snapshots");
        if (Files.isRegularFile(ref)) {
            String revision = read(ref).strip();
            Path snapshot = snapshots.resolve(revision);
            if (revision.isEmpty() || revision.contains("/") || !Files.isDirectory(snapshot)) {
                throw new CheckpointException("model '" + id + "': " + ref + " names revision '" + revision
                        + "' but there is no folder " + snapshot + download);
            }
            return snapshot;
        }
        List<Path> all = list(snapshots).stream().filter(Files::isDirectory).toList();
        if (all.size() != 1) {
            throw new CheckpointException("model '" + id + "': no " + ref + " and " + all.size() + " snapshots in "
                    + snapshots + ", cannot tell which revision to use" + download);
        }
        return all.get(0);
    }

    private static ModelFiles inDirectory(Path dir, String download) {
        Path config = config(dir, download);
        for (String name : WEIGHTS) {
            Path weights = dir.resolve(name);
            if (Files.isRegularFile(weights)) return new ModelFiles(dir, config, weights);
        }
        throw new CheckpointException(dir + ": no weights file (looked for " + String.join(", ", WEIGHTS)
                + "; the folder holds " + names(dir) + ")" + download);
    }

    private static Path config(Path dir, String download) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new CheckpointException(dir + ": no config.json (the folder holds " + names(dir) + ")" + download);
        }
        return config;
    }

    private static String names(Path dir) {
        List<String> names = list(dir).stream()
                .map(p -> p.getFileName() + (Files.exists(p) ? "" : " (broken link: incomplete download?)"))
                .sorted().toList();
        return names.isEmpty() ? "nothing" : String.join(", ", names);
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
