package perceiver.benchmark;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import perceiver.models.PerceiverConfig;

/**
 * The paper's claim of cost linear in the input size M and the output size O, measured: a bare {@code PerceiverModel}
 * with the optical-flow trunk (N = 2,048 latents of 512 channels, 322 input channels, one cross-attention head) and
 * a basic decoder of trainable queries (322 channels, 1 head, 2 outputs, as the flow decoder); one latent
 * self-attention layer instead of 24, since processing costs the same at every M and O. For M = 2^lo … 2^hi input
 * rows (O fixed) the encoder's time and the process's peak memory are recorded, then for O = 2^lo … 2^hi decoder
 * queries (M fixed) the decoder's; a least-squares line through each series gives its R².
 */
public final class Scaling {
    private Scaling() {}

    /** One measured size: the stage's seconds and the peak resident memory of the whole pass. */
    public record Point(long size, double seconds, double gflop, long peakResident) {}

    /** {@code y = intercept + slope·x} with its coefficient of determination, and the log-log slope (1 = linear). */
    public record Fit(double intercept, double slope, double r2, double logLogSlope) {
        static Fit of(double[] x, double[] y) {
            double[] lx = new double[x.length], ly = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                lx[i] = Math.log(x[i]);
                ly[i] = Math.log(Math.max(y[i], 1e-12));
            }
            double[] line = leastSquares(x, y);
            return new Fit(line[0], line[1], line[2], leastSquares(lx, ly)[1]);
        }

        /** {intercept, slope, R²} of the least-squares line through the points. */
        static double[] leastSquares(double[] x, double[] y) {
            int n = x.length;
            double mx = 0, my = 0;
            for (int i = 0; i < n; i++) {
                mx += x[i] / n;
                my += y[i] / n;
            }
            double sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < n; i++) {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
                syy += (y[i] - my) * (y[i] - my);
            }
            double slope = sxy / sxx, intercept = my - slope * mx, res = 0;
            for (int i = 0; i < n; i++) res += Math.pow(y[i] - intercept - slope * x[i], 2);
            return new double[] {intercept, slope, syy == 0 ? 1 : 1 - res / syy};
        }
    }

    /** One sweep: which size varies, the fixed other size, the points and the fits of time and memory. */
    public record Series(String variable, String stage, long fixed, List<Point> points, Fit time, Fit memory) {
        static Series of(String variable, String stage, long fixed, List<Point> points) {
            double[] x = points.stream().mapToDouble(Point::size).toArray();
            return new Series(variable, stage, fixed, points,
                    Fit.of(x, points.stream().mapToDouble(Point::seconds).toArray()),
                    Fit.of(x, points.stream().mapToDouble(p -> p.peakResident() / 1e9).toArray()));
        }

        public void print(PrintWriter out) {
            boolean inputs = variable.equals("M");
            out.printf("%s (%s) swept, %s = %d fixed: %s stage time, peak RSS of the whole pass%n", variable,
                    inputs ? "input rows" : "decoder queries", inputs ? "O" : "M", fixed, stage);
            out.printf("%9s %10s %9s %9s %10s%n", variable, stage + " s", "GFLOP", "GFLOP/s", "peak RSS");
            for (Point p : points) {
                out.printf("%9d %10.4f %9.2f %9.1f %10s%n", p.size(), p.seconds(), p.gflop(), p.gflop() / p.seconds(),
                        BenchResult.gigabytes(p.peakResident()));
            }
            out.printf("time:   t = %.4g s + %.4g s x %s   R^2 = %.5f   log-log slope %.3f%n", time.intercept(),
                    time.slope(), variable, time.r2(), time.logLogSlope());
            out.printf("memory: m = %.4g GB + %.4g GB x %s   R^2 = %.5f%n", memory.intercept(), memory.slope(), variable,
                    memory.r2());
            out.flush();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variable", variable);
            m.put("stage", stage);
            m.put("fixed", fixed);
            m.put("points", points.stream().map(p -> Map.of("size", p.size(), "seconds", p.seconds(), "gflop", p.gflop(),
                    "peak_rss_bytes", p.peakResident())).toList());
            m.put("time_fit", Map.of("intercept_s", time.intercept(), "slope_s", time.slope(), "r2", time.r2(),
                    "loglog_slope", time.logLogSlope()));
            m.put("memory_fit", Map.of("intercept_gb", memory.intercept(), "slope_gb", memory.slope(), "r2", memory.r2()));
            return m;
        }
    }

    /**
     * The scaling model: the flow configuration {@code flow} as a bare model with {@code outputs} trainable decoder
     * queries and one self-attention layer.
     */
    public static PerceiverConfig config(PerceiverConfig flow, int outputs) {
        ObjectNode raw = ((ObjectNode) flow.extra()).deepCopy();
        raw.put("model_class", "PerceiverModel");
        raw.put("num_self_attends_per_block", 1);
        ObjectNode decoder = raw.putObject("constructor").putObject("decoder");
        decoder.put("cls", "PerceiverBasicDecoder");
        ObjectNode kw = decoder.putObject("kwargs");
        kw.put("output_num_channels", 2);
        kw.put("position_encoding_type", "trainable");
        kw.put("output_index_dims", outputs);
        kw.put("num_channels", flow.dModel());
        kw.put("num_heads", 1);
        kw.put("widening_factor", 1);
        kw.put("use_query_residual", false);
        kw.put("final_project", true);
        kw.putObject("trainable_position_encoding_kwargs").put("num_channels", flow.dModel()).put("index_dims", outputs);
        return PerceiverConfig.parse(raw, flow.source());
    }

    /** One measured (M, O): encoder and decoder time and FLOPs, and the peak resident memory of the pass. */
    public record Measured(int inputs, int outputs, double encodeSeconds, double encodeGflop, double decodeSeconds,
                           double decodeGflop, long peakResident) {}

    /** Measures one (M, O). */
    @FunctionalInterface
    public interface Runner {
        Measured measure(int inputs, int outputs);
    }

    /** Sweeps M (encoder) then O (decoder) over {@code 2^lo … 2^hi}, the other size fixed at {@code 2^lo}. */
    public static List<Series> run(int lo, int hi, Runner runner) {
        int fixed = 1 << lo;
        List<Point> m = new ArrayList<>(), o = new ArrayList<>();
        for (int e = lo; e <= hi; e++) {
            Measured r = runner.measure(1 << e, fixed);
            m.add(new Point(r.inputs(), r.encodeSeconds(), r.encodeGflop(), r.peakResident()));
        }
        for (int e = lo; e <= hi; e++) {
            Measured r = runner.measure(fixed, 1 << e);
            o.add(new Point(r.outputs(), r.decodeSeconds(), r.decodeGflop(), r.peakResident()));
        }
        return List.of(Series.of("M", "encode", fixed, m), Series.of("O", "decode", fixed, o));
    }

    /**
     * Measures (M, O) in this JVM: first an untimed pass at {@code (warmup, warmup)} (0: none) so that the kernels
     * are compiled, then {@code repeat} timed passes (median); the peak RSS counts from the measured model's build.
     */
    public static Measured measure(PerceiverConfig flow, int inputs, int outputs, int warmup, int repeat, long seed,
                                   PrintWriter log) {
        if (warmup > 0) pass(flow, warmup, warmup, 1, seed, log);
        BenchResult r = pass(flow, inputs, outputs, repeat, seed, log);
        StageClock.StageTimes t = r.median();
        return new Measured(inputs, outputs, t.encode(), r.flops().encode() / 1e9, t.decode(), r.flops().decode() / 1e9,
                r.peakResident());
    }

    private static BenchResult pass(PerceiverConfig flow, int inputs, int outputs, int repeat, long seed, PrintWriter log) {
        return ModelBench.run("scaling M=" + inputs + " O=" + outputs, config(flow, outputs),
                new Workload.Generic(inputs, outputs), new ModelBench.Options(0, repeat, 0, seed, null), log);
    }

    /** {@link Measured} as one JSON line, for a parent process. */
    public static String toJson(Measured m) {
        return String.format(java.util.Locale.ROOT, "{\"inputs\": %d, \"outputs\": %d, \"encodeSeconds\": %.9g, \"encodeGflop\": %.9g, "
                + "\"decodeSeconds\": %.9g, \"decodeGflop\": %.9g, \"peakResident\": %d}", m.inputs(), m.outputs(),
                m.encodeSeconds(), m.encodeGflop(), m.decodeSeconds(), m.decodeGflop(), m.peakResident());
    }

    /** The inverse of {@link #toJson}. */
    public static Measured fromJson(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Measured.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable scaling point: " + json, e);
        }
    }
}
