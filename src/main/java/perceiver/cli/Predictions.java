package perceiver.cli;

import java.io.PrintWriter;
import java.util.List;

import perceiver.api.PerceiverIO;

/** Printing of labels with probabilities, shared by the commands that classify. */
final class Predictions {
    private Predictions() {}

    static void checkTop(int top) {
        if (top < 1) throw new IllegalArgumentException("--top must be >= 1, got " + top);
    }

    /** One line per prediction: {@code <indent>0.1234  label}. */
    static void print(PrintWriter out, List<PerceiverIO.Prediction> predictions, String indent) {
        for (PerceiverIO.Prediction p : predictions) out.printf("%s%.4f  %s%n", indent, p.probability(), p.label());
    }
}
