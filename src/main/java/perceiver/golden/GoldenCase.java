package perceiver.golden;

import java.util.Comparator;
import java.util.List;

/** The outcome of running one golden case folder. */
public record GoldenCase(String name, Status status, String message, List<Comparison> comparisons, List<String> notCompared) {

    public enum Status { PASS, FAIL, UNSUPPORTED, NOT_A_CASE }

    /** One stored tensor against ours: max abs error, that error relative to max(1, max|golden|), and the verdict. */
    public record Comparison(String name, String shape, double maxAbs, double maxRel, boolean pass, String problem) {}

    /** The first failing comparison with the largest relative error, else the passing one with the largest. */
    public Comparison worst() {
        return comparisons.stream().max(Comparator.comparing((Comparison c) -> !c.pass())
                .thenComparingDouble(Comparison::maxRel)).orElse(null);
    }

    /** One line per compared tensor: name, shape, errors, verdict. */
    public List<String> detailLines() {
        return comparisons.stream().map(t -> String.format("    %-36s %-20s max|Δ| %.2e  rel %.2e%s", t.name(), t.shape(),
                t.maxAbs(), t.maxRel(), t.pass() ? "" : "  FAIL" + (t.problem() == null ? "" : " " + t.problem()))).toList();
    }

    /** One line: status, case, tensors compared, the worst tensor and its error. */
    public String summary() {
        StringBuilder s = new StringBuilder(String.format("%-11s %s", status, name));
        if (!comparisons.isEmpty()) {
            Comparison w = worst();
            s.append(String.format(": %d tensors compared, worst %s max|Δ| %.2e (rel %.2e)%s", comparisons.size(), w.name(),
                    w.maxAbs(), w.maxRel(), w.problem() == null ? "" : " " + w.problem()));
        }
        if (message != null) s.append(comparisons.isEmpty() ? ": " : "; ").append(message);
        return s.toString();
    }
}
