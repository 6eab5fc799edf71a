package perceiver.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import perceiver.core.Trace;
import perceiver.models.Inputs;
import perceiver.models.MaskedLanguageModel;
import perceiver.models.ModelDirectory;
import perceiver.models.PerceiverConfig;
import perceiver.models.PerceiverTask;
import perceiver.models.TextClassifier;
import perceiver.tensor.Tensor;

/**
 * The library entry point: load a model once, then call it from any number of threads.
 *
 * <pre>{@code
 * PerceiverIO model = PerceiverIO.load(Path.of("language-perceiver"));
 * String text = model.fillMask("The capital of France is [MASK][MASK][MASK][MASK][MASK].");
 * }</pre>
 *
 * <p>Thread safety: a loaded model is immutable; {@link #fillMask}, {@link #classifyText} and {@link #forward} may
 * be called concurrently (each call allocates its own activations). The kernels run on one shared worker pool
 * ({@link perceiver.tensor.Parallel}), so concurrent calls share its threads rather than multiplying them.
 */
public final class PerceiverIO {
    private final PerceiverTask task;

    private PerceiverIO(PerceiverTask task) { this.task = task; }

    /** Loads a Hugging Face model directory ({@code config.json} + safetensors or PyTorch weights). */
    public static PerceiverIO load(Path dir) {
        return load(dir.toString());
    }

    /**
     * Loads a model from a directory, a weights file with {@code config.json} beside it, or a hub id such as
     * {@code deepmind/language-perceiver} found in the local Hugging Face cache (nothing is downloaded).
     */
    public static PerceiverIO load(String ref) {
        return new PerceiverIO(ModelDirectory.load(ref));
    }

    public PerceiverConfig config() { return task.config(); }

    public PerceiverTask task() { return task; }

    /** Raw forward pass: named inputs as the reference implementation takes them, named outputs. */
    public Map<String, Tensor> forward(Inputs inputs) {
        return task.forward(inputs, Trace.OFF);
    }

    /** Masked-LM models: the text with each {@code [MASK]} replaced by the predicted byte. */
    public String fillMask(String text) {
        if (task instanceof MaskedLanguageModel mlm) return mlm.fillMask(text);
        throw new IllegalStateException(notA("masked language model (" + MaskedLanguageModel.MODEL_CLASS + ")"));
    }

    /** A label and its probability. */
    public record Prediction(String label, int index, double probability) {}

    /** Text classifiers: the {@code top} most probable labels, most probable first. */
    public List<Prediction> classifyText(String text, int top) {
        if (task instanceof TextClassifier c) return topK(c.classify(text), top);
        throw new IllegalStateException(notA("text classifier (" + TextClassifier.MODEL_CLASS + ")"));
    }

    /** Softmax of {@code logits}, then the {@code top} largest with their labels from {@code id2label}. */
    List<Prediction> topK(float[] logits, int top) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        List<Prediction> all = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            all.add(new Prediction(config().id2label().getOrDefault(i, "LABEL_" + i), i, p[i] / sum));
        }
        all.sort((a, b) -> Double.compare(b.probability(), a.probability()));
        return all.subList(0, Math.min(Math.max(top, 0), all.size()));
    }

    private String notA(String what) {
        return "the model is a " + config().modelClass() + ", not a " + what;
    }
}
