package perceiver.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import perceiver.core.Trace;
import perceiver.io.Progress;
import perceiver.io.audio.AudioClip;
import perceiver.io.audio.Wav;
import perceiver.io.image.ImageProcessor;
import perceiver.io.media.MediaException;
import perceiver.io.media.RgbImage;
import perceiver.io.media.Video;
import perceiver.models.ImageClassifier;
import perceiver.models.Inputs;
import perceiver.models.MaskedLanguageModel;
import perceiver.models.ModelDirectory;
import perceiver.models.MultimodalAutoencoder;
import perceiver.models.OpticalFlow;
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
 * <p>Thread safety: a loaded model is immutable; every method may be called concurrently (each call allocates its own activations). The kernels run on one shared worker pool
 * ({@link perceiver.tensor.Parallel}), so concurrent calls share its threads (taking turns kernel by kernel) rather
 * than multiplying them.
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

    /**
     * Image classifiers: each image file is read (PNG, JPEG, BMP, GIF; converted to RGB), preprocessed as by HF's
     * {@code PerceiverImageProcessor} (centre crop, bicubic resize to 224x224, ImageNet normalisation) and classified,
     * one image at a time.
     *
     * @return per image, in file order, the {@code top} most probable labels, most probable first
     * @throws MediaException naming an unreadable image
     * @throws IllegalArgumentException for a learned-position model whose positions are not 224x224
     */
    public List<List<Prediction>> classifyImages(List<Path> images, int top) {
        if (!(task instanceof ImageClassifier c)) {
            throw new IllegalStateException(notA("image classifier (" + ImageClassifier.LEARNED + ", "
                    + ImageClassifier.FOURIER + " or " + ImageClassifier.CONV + ")"));
        }
        if (images.isEmpty()) throw new IllegalArgumentException("no image files given");
        int side = c.requiredImageSide(), size = ImageProcessor.SIZE;
        if (side != 0 && side != size) {
            throw new IllegalArgumentException(modelDir() + ": this " + config().modelClass() + " has learned positions for "
                    + side + "x" + side + " images (config image_size " + side + "), but images are preprocessed to "
                    + size + "x" + size + " (HF PerceiverImageProcessor); it cannot classify them");
        }
        List<List<Prediction>> out = new ArrayList<>();
        for (Path image : images) {
            Tensor pixels = ImageProcessor.preprocess(RgbImage.read(image)).reshape(1, 3, size, size);
            Inputs in = new Inputs().put("inputs", pixels);
            out.add(topK(run(be -> c.forward(be, in, Trace.OFF)).get("logits").toArray(), top));
        }
        return out;
    }

    /**
     * Optical-flow models: the flow from {@code frame1} to {@code frame2} (image files of the same size, at least the
     * model's {@code train_size}), frames scaled to [-1, 1], covered by blended tiles of the training size
     * ({@link OpticalFlow#flow}).
     *
     * @param progress told after each tile
     * @return {@code [H, W, 2]}: (u, v) = (x, y) displacement in pixels
     * @throws MediaException naming an unreadable frame, frames of different sizes or frames that are too small
     */
    public Tensor opticalFlow(Path frame1, Path frame2, Progress progress) {
        if (!(task instanceof OpticalFlow f)) throw new IllegalStateException(notA("optical-flow model (" + OpticalFlow.MODEL_CLASS + ")"));
        RgbImage a = RgbImage.read(frame1), b = RgbImage.read(frame2);
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new MediaException(frame2 + ": frame is " + b.width() + "x" + b.height() + ", expected " + a.width()
                    + "x" + a.height() + " (WxH) like " + frame1);
        }
        if (a.height() < f.trainHeight() || a.width() < f.trainWidth()) {
            throw new MediaException(frame1 + ": frames are " + a.width() + "x" + a.height() + " (WxH), smaller than the model's "
                    + "training size " + f.trainWidth() + "x" + f.trainHeight() + " (config train_size [" + f.trainHeight()
                    + ", " + f.trainWidth() + "]); optical flow needs frames at least that large");
        }
        return run(be -> f.flow(be, a.toChw(2, -1), b.toChw(2, -1), progress));
    }

    /**
     * The result of {@link #autoencode}.
     *
     * @param video     reconstructed frames {@code [T, 3, H, W]}, nominally in [0, 1] (as decoded, not clamped)
     * @param audio     reconstructed samples, nominally in [-1, 1], at the input's sample rate
     * @param labels    every label with its probability, most probable first (the label input is always masked)
     * @param videoPsnr PSNR of the decoded video against the input, peak 1, in dB
     * @param audioPsnr PSNR of the decoded audio against the input, peak 2 (range [-1, 1]), in dB
     */
    public record Autoencoding(Tensor video, AudioClip audio, List<Prediction> labels, double videoPsnr,
                               double audioPsnr) {}

    /**
     * Multimodal autoencoders: encodes the video and audio once, then decodes every video point and audio patch in
     * {@code chunks} pieces (capped by {@link MultimodalAutoencoder#chunkCount}), so memory is bounded by one chunk.
     *
     * @param video    {@code [T, 3, H, W]} in [0, 1], (T, H, W) = the model's {@code output_shape[1:]}
     * @param audio    exactly {@code num_frames · audio_samples_per_frame} samples
     * @param progress told after each decoded chunk
     * @throws IllegalArgumentException for a video or audio of the wrong size, naming expected and actual
     */
    public Autoencoding autoencode(Tensor video, AudioClip audio, int chunks, Progress progress) {
        return autoencode(video, "video", audio, "audio", chunks, progress);
    }

    /**
     * {@link #autoencode(Tensor, AudioClip, int, Progress)} of video frame files (image files, in order) and a mono
     * WAV file, which must have {@code sampleRate} samples per second (48000 in the paper's Kinetics audio).
     *
     * @throws MediaException naming the file that is unreadable, of another sample rate, or of the wrong size
     */
    public Autoencoding autoencode(List<Path> frames, Path wav, int sampleRate, int chunks, Progress progress) {
        multimodal();
        Tensor video = Video.readFrames(frames);
        AudioClip audio = Wav.read(wav);
        if (audio.sampleRate() != sampleRate) {
            throw new MediaException(wav + ": sample rate " + audio.sampleRate() + " Hz, expected " + sampleRate
                    + " Hz");
        }
        String what = frames.size() == 1 ? frames.get(0).toString()
                : frames.get(0) + " .. " + frames.get(frames.size() - 1).getFileName();
        return autoencode(video, what, audio, wav.toString(), chunks, progress);
    }

    private Autoencoding autoencode(Tensor video, String videoName, AudioClip audio, String audioName, int chunks,
                                    Progress progress) {
        MultimodalAutoencoder m = multimodal();
        int[] g = m.videoGrid();
        if (video.rank() != 4 || !video.hasShape(g[0], 3, g[1], g[2])) {
            String got = video.rank() == 4 && video.dim(1) == 3
                    ? video.dim(0) + " frame(s) of " + video.dim(3) + "x" + video.dim(2) : video.toString();
            throw new MediaException(videoName + ": video is " + got + ", expected " + g[0] + " frame(s) of " + g[2] + "x"
                    + g[1] + " (WxH; the model's output_shape " + Arrays.toString(config().outputShape()) + ")");
        }
        int samples = config().numFrames() * config().audioSamplesPerFrame();
        if (audio.samples().length != samples) {
            throw new MediaException(audioName + ": audio has " + audio.samples().length + " samples, expected exactly "
                    + samples + " (num_frames " + config().numFrames() + " x audio_samples_per_frame "
                    + config().audioSamplesPerFrame() + ")");
        }
        if (chunks < 1) throw new IllegalArgumentException("chunk count must be >= 1, got " + chunks);
        Tensor audioIn = Tensor.of(audio.samples().clone(), 1, samples, 1);
        Tensor videoIn = video.reshape(1, g[0], 3, g[1], g[2]);
        MultimodalAutoencoder.Reconstruction r = run(be -> reconstruct(be, m, audioIn, videoIn, chunks, progress));
        Tensor frames = r.videoFrames(0);
        Tensor sound = r.audio().get(0);
        return new Autoencoding(frames, new AudioClip(sound.toArray(), audio.sampleRate()),
                topK(r.label().toArray(), config().numLabels()), Video.psnr(frames, video, 1),
                Video.psnr(sound, Tensor.of(audio.samples(), samples), 2));
    }

    /** Encodes once, then decodes every point in chunks, on {@code be}; device arrays are released at the end. */
    private <A> MultimodalAutoencoder.Reconstruction reconstruct(Backend<A> be, MultimodalAutoencoder m, Tensor audio,
                                                                 Tensor video, int chunks, Progress progress) {
        try (Backend.Scope scope = be.scope()) {
            A latents = m.encode(be, audio, video, Tensor.zeros(1, config().numLabels()), Trace.OFF);
            return m.decodeInChunks(be, latents, chunks, progress);
        }
    }

    private MultimodalAutoencoder multimodal() {
        if (task instanceof MultimodalAutoencoder m) return m;
        throw new IllegalStateException(notA("multimodal autoencoder (" + MultimodalAutoencoder.MODEL_CLASS + ")"));
    }

    private Path modelDir() {
        Path source = config().source();
        return source == null || source.getParent() == null ? source : source.getParent();
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
        return "the model is a " + config().modelClass() + ", not " + ("aeiou".indexOf(what.charAt(0)) >= 0 ? "an " : "a ") + what;
    }
}
