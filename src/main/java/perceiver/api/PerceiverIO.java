package perceiver.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import perceiver.core.Trace;
import perceiver.models.Inputs;
import perceiver.models.MaskedLanguageModel;
import perceiver.models.ModelDirectory;
import perceiver.models.PerceiverConfig;
import perceiver.models.PerceiverTask;
import perceiver.models.TextClassifier;
import perceiver.tensor.Backend;
import perceiver.tensor.BackendUnavailableException;
import perceiver.tensor.Backends;
import perceiver.tensor.CpuBackend;
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
    private volatile Backend<?> backend;
    /** {@code auto}: a backend failure during a call moves this model to the CPU (with a note). */
    private final boolean fallBack;
    private final Consumer<String> notes;

    private PerceiverIO(PerceiverTask task, Backend<?> backend, boolean fallBack, Consumer<String> notes) {
        this.task = task;
        this.backend = backend;
        this.fallBack = fallBack;
        this.notes = notes;
    }

    /** Loads a Hugging Face model directory ({@code config.json} + safetensors or PyTorch weights). */
    public static PerceiverIO load(Path dir) {
        return load(dir.toString());
    }

    /**
     * Loads a model from a directory, a weights file with {@code config.json} beside it, or a hub id such as
     * {@code deepmind/language-perceiver} found in the local Hugging Face cache (nothing is downloaded).
     */
    public static PerceiverIO load(String ref) {
        return load(ref, CpuBackend.INSTANCE);
    }

    /** {@link #load(String)}, the model to run on {@code backend}; a backend failure during a call is thrown. */
    public static PerceiverIO load(String ref, Backend<?> backend) {
        return load(ref, backend, false, s -> {});
    }

    /**
     * {@link #load(String)}, the model to run on {@code backend}. With {@code fallBackToCpu}, a failure of the
     * backend during a call (e.g. out of device memory) is passed to {@code notes} and that call and every later one
     * run on the CPU; without, it is thrown.
     */
    public static PerceiverIO load(String ref, Backend<?> backend, boolean fallBackToCpu, Consumer<String> notes) {
        return new PerceiverIO(ModelDirectory.load(ref), backend, fallBackToCpu, notes);
    }

    /**
     * {@link #load(String)}, the model to run on the backend named {@code cpu}, {@code opencl} or {@code auto} (see
     * {@link Backends#create}; {@code device} as there, null for the default). With {@code auto}, a failure of the
     * OpenCL backend during a call (e.g. out of device memory) is passed to {@code notes} and that call and every
     * later one run on the CPU.
     *
     * @throws perceiver.tensor.BackendUnavailableException when {@code opencl} is asked for and cannot run
     */
    public static PerceiverIO load(String ref, String backend, String device, Consumer<String> notes) {
        return load(ref, Backends.create(backend, device, notes), "auto".equalsIgnoreCase(backend), notes);
    }

    /** The backend the next call runs on. */
    public Backend<?> backend() { return backend; }

    /** Runs {@code call} on the backend; under {@code auto}, once more on the CPU if the backend fails. */
    private <T> T run(Function<Backend<?>, T> call) {
        Backend<?> be = backend;
        try {
            return call.apply(be);
        } catch (BackendUnavailableException e) {
            if (!fallBack || be == CpuBackend.INSTANCE) throw e;
            notes.accept("note: " + e.getMessage() + "; running on the CPU backend from now on");
            backend = CpuBackend.INSTANCE;
            return call.apply(CpuBackend.INSTANCE);
        }
    }

    public PerceiverConfig config() { return task.config(); }

    public PerceiverTask task() { return task; }

    /** Raw forward pass: named inputs as the reference implementation takes them, named outputs. */
    public Map<String, Tensor> forward(Inputs inputs) {
        return run(be -> task.forward(be, inputs, Trace.OFF));
    }

    /** Masked-LM models: the text with each {@code [MASK]} replaced by the predicted byte. */
    public String fillMask(String text) {
        if (task instanceof MaskedLanguageModel mlm) return run(be -> mlm.fillMask(be, text));
        throw new IllegalStateException(notA("masked language model (" + MaskedLanguageModel.MODEL_CLASS + ")"));
    }

    /** A label and its probability. */
    public record Prediction(String label, int index, double probability) {}

    /** Text classifiers: the {@code top} most probable labels, most probable first. */
    public List<Prediction> classifyText(String text, int top) {
        if (task instanceof TextClassifier c) return topK(run(be -> c.classify(be, text)), top);
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
