package perceiver.models;

import java.util.Map;

import perceiver.core.ClassificationDecoder;
import perceiver.core.Perceiver;
import perceiver.core.Trace;
import perceiver.io.image.ImagePreprocessor;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * ImageNet classification (paper §4.2): an {@link ImagePreprocessor} (learned positions / Fourier features / conv
 * stem), the trunk and the classification decoder. {@code inputs [B, 3, H, W] → logits [B, num_labels]}.
 * HF classes {@code PerceiverForImageClassificationLearned}, {@code ...Fourier}, {@code ...ConvProcessing}.
 */
public record ImageClassifier(PerceiverConfig config, ImagePreprocessor preprocessor, Perceiver perceiver,
                              ClassificationDecoder decoder) implements PerceiverTask {
    public static final String LEARNED = "PerceiverForImageClassificationLearned";
    public static final String FOURIER = "PerceiverForImageClassificationFourier";
    public static final String CONV = "PerceiverForImageClassificationConvProcessing";

    static ImageClassifier build(PerceiverConfig c, Parameters p) {
        String prep = switch (c.modelClass()) {
            case LEARNED -> "conv1x1";
            case FOURIER -> "pixels";
            case CONV -> "conv";
            default -> throw new IllegalArgumentException("not an image classifier: " + c.modelClass());
        };
        ImagePreprocessor pre = HfModules.imagePreprocessor(p, c, prep);
        Perceiver trunk = HfModules.perceiver(p, c, HfModules.TRUNK, pre.channels());
        return new ImageClassifier(c, pre, trunk,
                HfModules.classificationDecoder(p, c, HfModules.TRUNK, HfModules.classificationArgs(c)));
    }

    /**
     * The image side this model requires, or 0 when it takes any size: the learned-position model's positions cover
     * exactly {@code image_size x image_size} pixels; Fourier features and the conv stem adapt to the input.
     */
    public int requiredImageSide() {
        return preprocessor instanceof ImagePreprocessor.Conv1x1 ? config.imageSize() : 0;
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        Tensor x = preprocessor.forward(in.tensor("inputs"), trace);
        Tensor logits = decoder.decode(be, perceiver.encode(be, be.upload(x), null, trace), trace);
        trace.put("logits", logits);
        return Map.of("logits", logits);
    }
}
