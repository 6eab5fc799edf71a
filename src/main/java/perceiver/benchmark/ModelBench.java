package perceiver.benchmark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import perceiver.checkpoint.SafetensorsWriter;
import perceiver.core.Trace;
import perceiver.models.Inputs;
import perceiver.models.Models;
import perceiver.models.MultimodalAutoencoder;
import perceiver.models.PerceiverConfig;
import perceiver.models.PerceiverTask;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Parallel;
import perceiver.tensor.Tensor;

/**
 * Times forward passes of one architecture built with random weights: warm-up passes, then timed passes split into
 * stages by a {@link StageClock}. The multimodal model is encoded once and decoded completely chunk by chunk; its
 * warm-up passes, and the re-encoding recipe it is compared with, are single-chunk forward passes.
 */
public final class ModelBench {
    private ModelBench() {}

    /**
     * @param warmup           untimed passes first
     * @param repeat           timed passes (at least 1)
     * @param reencodeSamples  multimodal: single-chunk forward passes timed to project the re-encoding recipe
     * @param saveDir          where to write the weights, inputs and outputs for the PyTorch peer instead of timing
     *                         (then {@link #run} returns null), or null
     */
    public record Options(int warmup, int repeat, int reencodeSamples, long seed, Path saveDir) {}

    public static BenchResult run(String name, PerceiverConfig config, Workload workload, Options o, PrintWriter log) {
        System.gc();
        Memory.resetPeak();
        long t0 = System.nanoTime();
        BenchWeights weights = new BenchWeights(o.seed(), o.saveDir() != null);
        PerceiverTask model = Models.build(config, weights);
        double build = (System.nanoTime() - t0) * 1e-9;
        Inputs inputs = workload.inputs(config, o.seed() + 1);
        log.printf("%s: built in %.1f s (%,d parameters); %s%n", name, build, weights.parameterCount(), workload.describe());
        log.flush();
        if (o.saveDir() != null) {
            save(o.saveDir().resolve(name), weights, workload, inputs, model);
            log.printf("%s: weights, inputs and outputs written to %s%n", name, o.saveDir().resolve(name));
            log.flush();
            return null;
        }
        for (int i = 0; i < o.warmup(); i++) warmup(model, workload, inputs, config);
        List<StageClock.StageTimes> runs = new ArrayList<>();
        for (int i = 0; i < Math.max(1, o.repeat()); i++) {
            runs.add(timed(model, workload, inputs));
            log.printf("%s: pass %d %.3f s%n", name, i + 1, runs.getLast().total());
            log.flush();
        }
        BenchResult.Reencode reencode = null;
        if (workload instanceof Workload.Multimodal mm && o.reencodeSamples() > 0) {
            List<Double> chunkForward = new ArrayList<>();
            for (int i = 0; i < o.reencodeSamples(); i++) {
                int k = (int) ((long) i * mm.chunks() / o.reencodeSamples());
                long s = System.nanoTime();
                model.forward(mm.chunkInputs(inputs, k), Trace.OFF);
                chunkForward.add((System.nanoTime() - s) * 1e-9);
            }
            Flops.Stages f = Flops.count(config, mm);
            double reencodeFlops = f.total() + (mm.chunks() - 1) * (f.preprocess() + f.encode() + f.process());
            reencode = new BenchResult.Reencode(mm.chunks(), chunkForward, reencodeFlops);
        }
        return new BenchResult(name, config.modelClass(), workload.describe(), workload.inputRows(),
                workload.outputQueries(), Parallel.threads(), weights.parameterCount(), build,
                Flops.count(config, workload), runs, Memory.peakResident(), Memory.heapSetting(), reencode,
                Memory.loadAverage());
    }

    /** One untimed pass: a full forward pass, or for the multimodal model one single-chunk forward pass. */
    private static void warmup(PerceiverTask model, Workload w, Inputs in, PerceiverConfig c) {
        model.forward(w instanceof Workload.Multimodal mm ? mm.chunkInputs(in, 0) : in, Trace.OFF);
    }

    /** One timed pass; the multimodal model encodes once, then decodes every chunk. */
    static StageClock.StageTimes timed(PerceiverTask model, Workload w, Inputs in) {
        StageClock clock = new StageClock();
        if (w instanceof Workload.Multimodal mm && model instanceof MultimodalAutoencoder auto) {
            Tensor latents = auto.encode(CpuBackend.INSTANCE, in.tensor("inputs.audio"), in.tensor("inputs.image"),
                    in.tensor("inputs.label"), clock.trace());
            for (int k = 0; k < mm.chunks(); k++) {
                auto.decode(CpuBackend.INSTANCE, latents, mm.chunkPoints(mm.audioPatches(), k),
                        mm.chunkPoints(mm.videoPoints(), k), Trace.OFF);
            }
        } else {
            model.forward(in, clock.trace());
        }
        return clock.finish();
    }

    /**
     * Writes {@code dir/weights.safetensors} (the random weights, reference key names), {@code dir/inputs.safetensors}
     * and {@code dir/outputs.safetensors} (one forward pass; for the multimodal model the recipe's first chunk), so
     * that the PyTorch peer runs the same weights and inputs and checks its outputs against ours.
     */
    private static void save(Path dir, BenchWeights weights, Workload w, Inputs in, PerceiverTask model) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter ws = SafetensorsWriter.create();
        weights.kept().forEach(ws::add);
        ws.metadata("format", "pt").write(dir.resolve("weights.safetensors"));
        Inputs run = w instanceof Workload.Multimodal mm ? mm.chunkInputs(in, 0) : in;
        SafetensorsWriter is = SafetensorsWriter.create();
        for (String n : Workload.INPUT_NAMES) {
            if (!run.has(n)) continue;
            LongTensor ids = run.optionalLongs(n);
            if (ids != null) is.addLongs(n, ids.data(), ids.shape());
            else is.add(n, run.tensor(n));
        }
        is.write(dir.resolve("inputs.safetensors"));
        SafetensorsWriter os = SafetensorsWriter.create();
        for (Map.Entry<String, Tensor> e : model.forward(run, Trace.OFF).entrySet()) os.add(e.getKey(), e.getValue());
        os.write(dir.resolve("outputs.safetensors"));
    }
}
