package perceiver.benchmark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import perceiver.checkpoint.CheckpointException;
import perceiver.golden.PublishedConfig;
import perceiver.models.PerceiverConfig;
import perceiver.tensor.Parallel;

/**
 * The whole-model benchmark behind {@code perceiver bench}: which architectures to run (the published ones in
 * {@code golden/published-configs/}, or any config file), and the report (a table, and JSON).
 */
public final class Bench {
    private Bench() {}

    /** An architecture to run under a name. */
    public record Target(String name, PerceiverConfig config) {}

    /**
     * The published architectures in {@code dir} whose file name contains {@code selector} ({@code all}: every
     * one; several selectors separated by commas). Each selector must match exactly one file, or be an exact name.
     */
    public static List<Target> published(Path dir, String selector) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<Target> out = new ArrayList<>();
        for (String sel : selector.split(",")) {
            List<Path> hits = files.stream().filter(f -> sel.equals("all") || baseName(f).equals(sel)).toList();
            if (hits.isEmpty()) hits = files.stream().filter(f -> baseName(f).contains(sel)).toList();
            if (hits.isEmpty() || (hits.size() > 1 && !sel.equals("all"))) {
                throw new IllegalArgumentException("--model '" + sel + "' matches " + (hits.isEmpty() ? "none" : hits.size())
                        + " of " + files.stream().map(Bench::baseName).toList());
            }
            for (Path f : hits) out.add(new Target(baseName(f), PublishedConfig.load(f).config()));
        }
        return out;
    }

    /** A config file: a published-config entry or a {@code config.json} (HF or golden case), named after its folder. */
    public static Target file(Path config) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new CheckpointException(config + ": cannot read: " + e.getMessage(), e);
        }
        if (root != null && root.has("state_dict") && root.has("config")) {
            return new Target(baseName(config), PublishedConfig.load(config).config());
        }
        Path parent = config.toAbsolutePath().getParent();
        String name = config.getFileName().toString().equals("config.json") && parent != null
                ? parent.getFileName().toString() : baseName(config);
        return new Target(name, PerceiverConfig.load(config));
    }

    private static String baseName(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    /** Runs each target, printing a table row as each finishes. */
    public static List<BenchResult> run(List<Target> targets, int imageSize, int chunks, ModelBench.Options o,
                                        PrintWriter out, PrintWriter log) {
        List<BenchResult> results = new ArrayList<>();
        for (Target t : targets) {
            Workload w = Workload.paperSized(t.config(), imageSize);
            if (w instanceof Workload.Multimodal mm && chunks > 0) {
                w = new Workload.Multimodal(mm.frames(), mm.height(), mm.width(), mm.audioSamples(), mm.samplesPerPatch(), chunks);
            }
            BenchResult r = ModelBench.run(t.name(), t.config(), w, o, log);
            if (r == null) continue; // saved, not timed
            if (results.isEmpty()) out.println(BenchResult.header());
            results.add(r);
            out.println(r.row());
            out.flush();
        }
        return results;
    }

    /** The environment of a report: date, CPU, threads, JVM, heap, load. */
    public static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("date", OffsetDateTime.now().toString());
        env.put("cpu", cpuModel());
        env.put("processors", Runtime.getRuntime().availableProcessors());
        env.put("threads", Parallel.threads());
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("heap", Memory.heapSetting());
        env.put("loadavg_start", Memory.loadAverage());
        return env;
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    /** Writes the environment, the model results and the scaling series as one JSON object. */
    public static void writeJson(Path file, Map<String, Object> environment, List<BenchResult> results,
                                 List<Scaling.Series> scaling) {
        Map<String, Object> root = new LinkedHashMap<>(environment);
        root.put("loadavg_end", Memory.loadAverage());
        root.put("results", results.stream().map(BenchResult::toMap).toList());
        if (!scaling.isEmpty()) root.put("scaling", scaling.stream().map(Scaling.Series::toMap).toList());
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
