package perceiver.models;

import java.util.List;

/** Builds a model family from its Hugging Face model class. */
public final class Models {
    private Models() {}

    /** The model classes {@link #build} knows. */
    public static final List<String> SUPPORTED = List.of(GenericModel.MODEL_CLASS, MaskedLanguageModel.MODEL_CLASS,
            TextClassifier.MODEL_CLASS, ImageClassifier.LEARNED, ImageClassifier.FOURIER, ImageClassifier.CONV,
            OpticalFlow.MODEL_CLASS, MultimodalAutoencoder.MODEL_CLASS);

    /**
     * Builds the architecture of {@code config} with weights from {@code params}, then lets {@code params} report
     * every missing, misshapen or unexpected key at once.
     */
    public static PerceiverTask build(PerceiverConfig config, Parameters params) {
        PerceiverTask task = switch (config.modelClass()) {
            case GenericModel.MODEL_CLASS -> GenericModel.build(config, params);
            case MaskedLanguageModel.MODEL_CLASS -> MaskedLanguageModel.build(config, params);
            case TextClassifier.MODEL_CLASS -> TextClassifier.build(config, params);
            case MultimodalAutoencoder.MODEL_CLASS -> MultimodalAutoencoder.build(config, params);
            case OpticalFlow.MODEL_CLASS -> OpticalFlow.build(config, params);
            case ImageClassifier.LEARNED, ImageClassifier.FOURIER, ImageClassifier.CONV -> ImageClassifier.build(config, params);
            default -> throw new UnsupportedModelException(config.source() + ": model class '" + config.modelClass()
                    + "' is not supported; supported: " + SUPPORTED);
        };
        params.finish();
        return task;
    }
}
