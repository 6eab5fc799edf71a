package perceiver.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.benchmark.Bench;
import perceiver.benchmark.ChildJvm;
import perceiver.benchmark.BenchResult;
import perceiver.benchmark.ModelBench;
import perceiver.benchmark.Scaling;
import perceiver.models.PerceiverConfig;
import perceiver.tensor.Parallel;

@Command(name = "bench", description = {
        "Times forward passes of the published architectures at full size with random weights (no download) on",
        "paper-sized inputs: wall time, GFLOP/s (analytic FLOP count), peak resident memory, time per stage.",
        "Peak RSS is VmHWM since each model started building (later models run in a JVM that ran earlier ones;",
        "bench/compare.sh runs one model per JVM). Threads: the global --threads option."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "NAME", defaultValue = "all",
            description = "A published architecture (file name in --configs, or a unique part of it: language, learned,"
                    + " fourier, conv, flow, multimodal), several separated by commas, or 'all' (default).")
    String model;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Benchmark this config instead (a config.json of a golden case or checkpoint, or a published-config entry).")
    List<Path> configs = new ArrayList<>();

    @Option(names = "--configs", paramLabel = "DIR", description = "Published configs (default: golden/published-configs).")
    Path configDir;

    @Option(names = "--repeat", defaultValue = "1", description = "Timed passes per model; the median is reported (default 1).")
    int repeat;

    @Option(names = "--warmup", defaultValue = "1",
            description = "Untimed passes first (default 1; multimodal: single-chunk forward passes).")
    int warmup;

    @Option(names = "--chunks", defaultValue = "128", description = "Multimodal: decoding chunks (default 128, the reference recipe).")
    int chunks;

    @Option(names = "--reencode-samples", defaultValue = "1",
            description = "Multimodal: single-chunk forward passes timed to project re-encoding per chunk (default 1).")
    int reencodeSamples;

    @Option(names = "--image-size", defaultValue = "0", description = "Image side for the Fourier and conv ImageNet models (default 224).")
    int imageSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random weights and inputs (default 42).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--save-weights", paramLabel = "DIR",
            description = "Instead of timing, write DIR/<model>/{weights,inputs,outputs}.safetensors for the PyTorch peer"
                    + " (bench/torch_peer.py --weights DIR): the random weights, the inputs, the outputs of one forward pass.")
    Path saveDir;

    @Option(names = "--scaling", description = "Instead of the models: encoder time and memory for M = 2^lo..2^hi input rows,"
            + " decoder time and memory for O = 2^lo..2^hi queries, with line fits (optical-flow trunk, or that of --config;"
            + " see bench/README.md).")
    boolean scaling;

    @Option(names = "--scaling-range", paramLabel = "LO..HI", defaultValue = "10..18",
            description = "Exponents of the scaling sweep (default 10..18).")
    String scalingRange;

    @Option(names = "--scaling-in-process", description = "Measure every scaling point in this JVM (default: one JVM per"
            + " point, so that each peak RSS is its own).")
    boolean scalingInProcess;

    /** A child's single scaling point, M,O. */
    @Option(names = "--scaling-point", hidden = true)
    String scalingPoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), log = spec.commandLine().getErr();
        if (repeat < 1 || warmup < 0 || chunks < 1 || reencodeSamples < 0) {
            throw new ParameterException(spec.commandLine(), "--repeat and --chunks must be >= 1, --warmup and --reencode-samples >= 0");
        }
        Map<String, Object> env = Bench.environment();
        if (scalingPoint == null) {
            out.printf("perceiver bench: %s threads, heap %s, load %s%n", env.get("threads"), env.get("heap"), env.get("loadavg_start"));
        }
        Path dir = configDir != null ? configDir
                : Path.of(System.getProperty("perceiver.home", ".")).resolve("golden/published-configs");
        List<BenchResult> results = List.of();
        List<Scaling.Series> series = List.of();
        if (scaling || scalingPoint != null) {
            int[] range = range(scalingRange);
            PerceiverConfig flow = (configs.isEmpty() ? Bench.published(dir, "optical-flow-perceiver").getFirst()
                    : Bench.file(configs.getFirst())).config();
            int warm = 1 << range[0];
            if (scalingPoint != null) { // a child: one point, one JSON line
                String[] mo = scalingPoint.split(",");
                out.println(Scaling.toJson(Scaling.measure(flow, Integer.parseInt(mo[0]), Integer.parseInt(mo[1]),
                        warm, repeat, seed, log)));
                return 0;
            }
            Scaling.Runner runner = scalingInProcess ? inProcess(flow, warm, log)
                    : (m, o) -> Scaling.fromJson(lastLine(ChildJvm.run(Main.class.getName(), childArgs(m, o))));
            series = Scaling.run(range[0], range[1], runner);
            series.forEach(s -> s.print(out));
        } else {
            List<Bench.Target> targets = new ArrayList<>();
            if (configs.isEmpty()) targets.addAll(Bench.published(dir, model));
            for (Path c : configs) targets.add(Bench.file(c));
            results = Bench.run(targets, imageSize, chunks,
                    new ModelBench.Options(warmup, repeat, reencodeSamples, seed, saveDir), out, log);
        }
        if (json != null) Bench.writeJson(json, env, results, series);
        return 0;
    }

    /** Every point in this JVM, the first after a warm-up pass. */
    private Scaling.Runner inProcess(PerceiverConfig flow, int warm, PrintWriter log) {
        boolean[] warmed = {false};
        return (m, o) -> {
            int w = warmed[0] ? 0 : warm;
            warmed[0] = true;
            return Scaling.measure(flow, m, o, w, repeat, seed, log);
        };
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** The arguments of a child measuring (m, o) as this command would. */
    private List<String> childArgs(int m, int o) {
        List<String> a = new ArrayList<>(List.of("--threads", String.valueOf(Parallel.threads()), "bench",
                "--scaling-point", m + "," + o, "--scaling-range", scalingRange, "--repeat", String.valueOf(repeat),
                "--seed", String.valueOf(seed)));
        if (configDir != null) a.addAll(List.of("--configs", configDir.toString()));
        for (Path c : configs) a.addAll(List.of("--config", c.toString()));
        return a;
    }

    private int[] range(String s) {
        String[] p = s.split("\\.\\.");
        try {
            int lo = Integer.parseInt(p[0].trim()), hi = Integer.parseInt(p[p.length - 1].trim());
            if (p.length == 2 && lo >= 0 && lo <= hi && hi <= 24) return new int[] {lo, hi};
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--scaling-range must be LO..HI with 0 <= LO <= HI <= 24, got '" + s + "'");
    }
}
