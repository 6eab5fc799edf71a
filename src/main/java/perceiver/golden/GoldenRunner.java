package perceiver.golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import perceiver.checkpoint.CheckpointException;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.core.Trace;
import perceiver.models.Inputs;
import perceiver.models.Models;
import perceiver.models.Parameters;
import perceiver.models.PerceiverConfig;
import perceiver.models.PerceiverTask;
import perceiver.models.UnsupportedModelException;
import perceiver.tensor.Backend;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Runs a golden case folder ({@code config.json}, {@code weights.safetensors}, {@code io.safetensors}; function
 * cases: {@link FourierCase}, {@link ImageProcessorCase}) through our
 * implementation and compares every stored output and intermediate we produce, under the tolerance
 * {@code |ours − golden| ≤ 1e-4 · max(1, max|golden|)} per tensor. Encoder cross-attention probabilities must
 * also be exactly 0 wherever the golden ones are (masked inputs). Cases whose stored inputs carry a run prefix
 * ({@code full.subsampled_output_points.*}) are run once per prefix.
 */
public final class GoldenRunner {
    public static final double TOLERANCE = 1e-4;

    private GoldenRunner() {}

    public static GoldenCase run(Path dir) {
        return run(dir, dir.resolve("weights.safetensors"), TOLERANCE);
    }

    /**
     * Runs the case in {@code dir} with its weights read from {@code weights} (any checkpoint format, e.g. a
     * PyTorch {@code .bin} or a shard index) and the given relative tolerance.
     */
    public static GoldenCase run(Path dir, Path weights, double tolerance) {
        return run(dir, weights, tolerance, CpuBackend.INSTANCE);
    }

    /** {@link #run(Path)} with the model on {@code backend} (a function case runs on the host either way). */
    public static GoldenCase run(Path dir, Backend<?> backend) {
        return run(dir, dir.resolve("weights.safetensors"), TOLERANCE, backend);
    }

    /** {@link #run(Path, Path, double)} with the model on {@code backend}. */
    public static GoldenCase run(Path dir, Path weights, double tolerance, Backend<?> backend) {
        String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        Path config = dir.resolve("config.json"), io = dir.resolve("io.safetensors");
        if (!isCase(dir)) {
            return new GoldenCase(name, GoldenCase.Status.NOT_A_CASE, "no config.json + io.safetensors in " + dir,
                    List.of(), List.of());
        }
        try (TensorStore golden = Checkpoints.open(io)) {
            JsonNode raw = readJson(config);
            if (raw.has("functions")) {
                return compare(name, recorded(trace -> FourierCase.record(raw, subsampled(golden, raw), trace)), golden,
                        tolerance);
            }
            if (ImageProcessorCase.KIND.equals(raw.path("kind").asText())) {
                return compare(name, recorded(trace -> ImageProcessorCase.record(dir, raw, trace)), golden, tolerance);
            }
            PerceiverConfig cfg = PerceiverConfig.parse(raw, config);
            PerceiverTask model;
            try (TensorStore store = Checkpoints.open(weights)) {
                model = Models.build(cfg, Parameters.fromStore(store));
            }
            return compare(name, (in, trace) -> model.forward(backend, in, trace), golden, tolerance);
        } catch (UnsupportedModelException e) {
            return new GoldenCase(name, GoldenCase.Status.UNSUPPORTED, e.getMessage(), List.of(), List.of());
        } catch (CheckpointException | IllegalArgumentException e) {
            return new GoldenCase(name, GoldenCase.Status.FAIL, e.getMessage(), List.of(), List.of());
        }
    }

    /** What a case runs: a model's forward pass (returning its outputs), or (function cases) the functions under test. */
    private interface Run {
        Map<String, Tensor> run(Inputs inputs, Trace trace);
    }

    /** A function case: it has no outputs, only what it records, so an untraced run has nothing to do. */
    private static Run recorded(Consumer<Trace> record) {
        return (in, trace) -> {
            if (trace.on()) record.accept(trace);
            return Map.of();
        };
    }

    /** Whether {@code dir} is a case folder: {@code config.json} and {@code io.safetensors}. */
    public static boolean isCase(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("io.safetensors"));
    }

    /** The case folders directly inside {@code folder}, sorted (none when it is not a folder). */
    public static List<Path> casesIn(Path folder) {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(GoldenRunner::isCase).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** Per combination of a function case, its stored {@code combo<i>.subsampled_indices}, or null. */
    private static long[][] subsampled(TensorStore golden, JsonNode config) {
        long[][] idx = new long[config.path("combos").size()][];
        for (int i = 0; i < idx.length; i++) {
            String key = "combo" + i + ".subsampled_indices";
            if (golden.contains(key)) idx[i] = golden.longs(key);
        }
        return idx;
    }

    private static JsonNode readJson(Path config) {
        try {
            return new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new CheckpointException(config + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static GoldenCase compare(String name, Run model, TensorStore golden, double tolerance) {
        List<GoldenCase.Comparison> comparisons = new ArrayList<>();
        TreeSet<String> compared = new TreeSet<>();
        for (String prefix : runPrefixes(golden)) {
            Trace trace = Trace.recording();
            model.run(inputs(golden, prefix), trace);
            for (Map.Entry<String, Tensor> e : trace.tensors().entrySet()) {
                String key = golden.contains(prefix + e.getKey()) ? prefix + e.getKey() : e.getKey();
                if (!golden.contains(key) || !golden.info(key).dtype().isFloat() || !compared.add(key)) continue;
                comparisons.add(compareTensor(key, e.getValue(), golden.floats(key), tolerance));
            }
            for (Map.Entry<String, LongTensor> e : trace.integers().entrySet()) {
                String key = golden.contains(prefix + e.getKey()) ? prefix + e.getKey() : e.getKey();
                if (!golden.contains(key) || golden.info(key).dtype().isFloat() || !compared.add(key)) continue;
                comparisons.add(compareIntegers(key, e.getValue(), golden.longs(key), golden.info(key).shape()));
            }
            // The recording pass takes the materialised attention paths; the outputs of the production pass (no
            // trace: streamed attention, keys and values formed block by block, chunked decoding) must match too.
            for (Map.Entry<String, Tensor> e : model.run(inputs(golden, prefix), Trace.OFF).entrySet()) {
                String key = prefix + e.getKey();
                if (!golden.contains(key) || !golden.info(key).dtype().isFloat()) continue;
                comparisons.add(compareTensor(key + " (untraced)", e.getValue(), golden.floats(key), tolerance));
            }
        }
        List<String> notCompared = golden.names().stream()
                .filter(n -> !compared.contains(n) && !isInput(n) && !n.startsWith("aux.")).toList();
        boolean pass = comparisons.stream().allMatch(GoldenCase.Comparison::pass) && !comparisons.isEmpty();
        String msg = notCompared.isEmpty() ? null : "not compared: " + notCompared;
        return new GoldenCase(name, pass ? GoldenCase.Status.PASS : GoldenCase.Status.FAIL, msg, comparisons, notCompared);
    }

    static GoldenCase.Comparison compareTensor(String name, Tensor ours, Tensor golden, double tolerance) {
        String shape = Arrays.toString(golden.shape());
        if (!Arrays.equals(ours.shape(), golden.shape())) {
            return new GoldenCase.Comparison(name, shape, Double.NaN, Double.NaN, false,
                    "shape " + Arrays.toString(ours.shape()) + " != golden " + shape);
        }
        double maxAbs = 0, scale = 1;
        int zerosBroken = 0;
        boolean exactZeros = name.endsWith("cross_attentions.0");
        for (int i = 0; i < golden.size(); i++) {
            float g = golden.data()[golden.offset() + i], o = ours.data()[ours.offset() + i];
            double d = Math.abs((double) o - g);
            if (!(d <= maxAbs)) maxAbs = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            scale = Math.max(scale, Math.abs(g));
            if (exactZeros && g == 0f && o != 0f) zerosBroken++;
        }
        double rel = maxAbs / scale;
        String problem = zerosBroken > 0 ? zerosBroken + " masked probabilities are not exactly 0" : null;
        return new GoldenCase.Comparison(name, shape, maxAbs, rel, rel <= tolerance && zerosBroken == 0, problem);
    }

    static GoldenCase.Comparison compareIntegers(String name, LongTensor ours, long[] golden, int[] shape) {
        boolean same = Arrays.equals(ours.shape(), shape) && Arrays.equals(ours.data(), golden);
        return new GoldenCase.Comparison(name, Arrays.toString(shape), same ? 0 : Double.NaN, same ? 0 : Double.NaN, same,
                same ? null : "integers " + Arrays.toString(ours.data()) + " != golden " + Arrays.toString(golden));
    }

    /** {@code ""}, or each {@code X.} that prefixes stored {@code X.subsampled_output_points.*} inputs. */
    private static List<String> runPrefixes(TensorStore golden) {
        TreeSet<String> prefixes = new TreeSet<>();
        for (String n : golden.names()) {
            int i = n.indexOf("subsampled_output_points.");
            if (i > 0) prefixes.add(n.substring(0, i));
        }
        return prefixes.isEmpty() ? List.of("") : List.copyOf(prefixes);
    }

    private static boolean isInput(String n) {
        String base = n.replaceFirst("^[a-z]+\\.(?=subsampled_output_points)", "");
        return base.equals("inputs") || base.startsWith("inputs.") || base.equals("attention_mask")
                || base.endsWith(".subsampled_indices")
                || base.startsWith("subsampled_output_points.");
    }

    /** The stored model inputs, run prefix removed, floats as tensors and integers as long tensors. */
    private static Inputs inputs(TensorStore golden, String prefix) {
        Inputs in = new Inputs();
        for (String n : golden.names()) {
            if (!isInput(n) || (n.contains("subsampled_output_points.") && !n.startsWith(prefix))) continue;
            String key = n.startsWith(prefix) ? n.substring(prefix.length()) : n;
            if (golden.info(n).dtype().isFloat()) {
                in.put(key, golden.floats(n));
            } else {
                in.put(key, new LongTensor(golden.longs(n), golden.info(n).shape()));
            }
        }
        return in;
    }
}
