package perceiver.benchmark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measurements of one model (or one scaling point): FLOPs, the timed passes per stage, peak resident memory.
 *
 * @param runs     the timed passes (after warm-up)
 * @param reencode for the multimodal model, the reference recipe of re-encoding for every chunk; else null
 * @param load     {@code /proc/loadavg} when the measurement ended (other processes on the machine)
 */
public record BenchResult(String model, String modelClass, String workload, long inputRows, long outputQueries,
                          int threads, long parameters, double buildSeconds, Flops.Stages flops,
                          List<StageClock.StageTimes> runs, long peakResident, String heap, Reencode reencode,
                          String load) {

    /**
     * Re-encoding for every chunk as the reference API's recipe does: {@code chunks} forward passes each decoding
     * one chunk; projected from {@code chunkForwardSeconds} measured passes (or all of them measured).
     */
    public record Reencode(int chunks, List<Double> chunkForwardSeconds, double flops) {
        public double projectedSeconds() {
            return chunks * chunkForwardSeconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    /** The timed pass of median total time. */
    public StageClock.StageTimes median() {
        List<StageClock.StageTimes> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(StageClock.StageTimes::total));
        return sorted.get((sorted.size() - 1) / 2);
    }

    public double seconds() { return median().total(); }

    public double bestSeconds() { return runs.stream().mapToDouble(StageClock.StageTimes::total).min().orElse(Double.NaN); }

    public double gflops() { return flops.total() / 1e9; }

    public double gflopsPerSecond() { return gflops() / seconds(); }

    /** Header of {@link #row}. */
    public static String header() {
        return String.format("%-26s %3s %-30s %9s %9s %8s %9s  %5s %5s %5s %5s", "model", "thr", "workload", "GFLOP",
                "wall s", "GFLOP/s", "peak RSS", "pre%", "enc%", "proc%", "dec%");
    }

    /** One line: model, threads, workload, GFLOP, median wall time, GFLOP/s, peak RSS, share of time per stage. */
    public String row() {
        StageClock.StageTimes t = median();
        double s = t.total();
        String line = String.format("%-26s %3d %-30s %9s %9.3f %8.1f %9s  %5.1f %5.1f %5.1f %5.1f", model, threads,
                workload, number(gflops()), s, gflopsPerSecond(), gigabytes(peakResident), 100 * t.preprocess() / s,
                100 * t.encode() / s, 100 * t.process() / s, 100 * t.decode() / s);
        if (reencode != null) {
            line += String.format("%n%-26s %3d %-30s %9.1f %9.1f %8.1f %9s  (projected: %d x %.3f s per-chunk forward)",
                    "  re-encode per chunk", threads, "reference recipe", reencode.flops() / 1e9,
                    reencode.projectedSeconds(), reencode.flops() / 1e9 / reencode.projectedSeconds(), "",
                    reencode.chunks(), reencode.projectedSeconds() / reencode.chunks());
        }
        return line;
    }

    private static String number(double x) {
        return String.format(x >= 10 ? "%.1f" : "%.4f", x);
    }

    static String gigabytes(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.2f GB", bytes / 1e9);
    }

    /** For the JSON report. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("model_class", modelClass);
        m.put("workload", workload);
        m.put("input_rows", inputRows);
        m.put("output_queries", outputQueries);
        m.put("threads", threads);
        m.put("parameters", parameters);
        m.put("build_s", buildSeconds);
        m.put("gflop", gflops());
        Map<String, Object> byStage = new LinkedHashMap<>();
        byStage.put("preprocess", flops.preprocess() / 1e9);
        byStage.put("encode", flops.encode() / 1e9);
        byStage.put("process", flops.process() / 1e9);
        byStage.put("decode", flops.decode() / 1e9);
        m.put("gflop_by_stage", byStage);
        m.put("wall_s", seconds());
        m.put("best_s", bestSeconds());
        m.put("gflop_per_s", gflopsPerSecond());
        StageClock.StageTimes t = median();
        Map<String, Object> stages = new LinkedHashMap<>();
        stages.put("preprocess", t.preprocess());
        stages.put("encode", t.encode());
        stages.put("process", t.process());
        stages.put("decode", t.decode());
        m.put("stage_s", stages);
        m.put("runs_s", runs.stream().map(StageClock.StageTimes::total).toList());
        m.put("peak_rss_bytes", peakResident);
        m.put("heap", heap);
        if (reencode != null) {
            m.put("reencode", Map.of("chunks", reencode.chunks(), "chunk_forward_s", reencode.chunkForwardSeconds(),
                    "projected_s", reencode.projectedSeconds(), "gflop", reencode.flops() / 1e9));
        }
        m.put("loadavg", load);
        return m;
    }
}
