package perceiver.models;

import java.util.Map;

import perceiver.core.FlowDecoder;
import perceiver.core.Perceiver;
import perceiver.core.Trace;
import perceiver.io.flow.FlowInput;
import perceiver.io.flow.FlowPreprocessor;
import perceiver.io.Progress;
import perceiver.io.flow.FlowTiling;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Optical flow (paper §4.3, HF {@code PerceiverForOpticalFlow}): patch preprocessor, trunk, flow decoder queried
 * with the preprocessed inputs. {@code inputs [B, 2, 27, H, W] → logits [B, H, W, 2]}, with (H, W) exactly the
 * model's {@code train_size}; {@link #flow} covers larger frames with blended tiles.
 */
public record OpticalFlow(PerceiverConfig config, FlowPreprocessor preprocessor, Perceiver perceiver,
                          FlowDecoder decoder) implements PerceiverTask {
    public static final String MODEL_CLASS = "PerceiverForOpticalFlow";
    /** HF's rescale factor of the predicted flow. */
    static final float RESCALE = 100f;

    static OpticalFlow build(PerceiverConfig c, Parameters p) {
        FlowPreprocessor pre = HfModules.flowPreprocessor(p, c);
        Perceiver trunk = HfModules.perceiver(p, c, HfModules.TRUNK, pre.channels());
        String prefix = HfModules.decoderPrefix(HfModules.TRUNK, true);
        var decoder = HfModules.basicDecoder(p, c, prefix,
                new HfModules.DecoderArgs(pre.channels(), null, null, 1, 1, false, 2));
        return new OpticalFlow(c, pre, trunk, new FlowDecoder(decoder, RESCALE));
    }

    public int trainHeight() { return config.trainSize()[0]; }

    public int trainWidth() { return config.trainSize()[1]; }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        Tensor x = in.tensor("inputs");
        if (x.rank() != 5 || x.dim(3) != trainHeight() || x.dim(4) != trainWidth()) {
            throw new IllegalArgumentException("optical-flow input must be [batch, 2, 27, " + trainHeight() + ", "
                    + trainWidth() + "] (the model's train_size), got " + x);
        }
        Tensor queries = preprocessor.forward(x, trace);
        A latents = perceiver.encode(be, be.upload(queries), null, trace);
        Tensor flow = decoder.decode(be, queries, latents, trainHeight(), trainWidth(), trace);
        trace.put("logits", flow);
        return Map.of("logits", flow);
    }

    /**
     * Flow from {@code frame1} to {@code frame2} ({@code [3, H, W]} in [-1, 1], at least the training size): tiles
     * of the training size, blended (DeepMind's optical-flow example). Returns {@code [H, W, 2]} in pixels.
     */
    public Tensor flow(Backend<?> be, Tensor frame1, Tensor frame2, Progress progress) {
        return FlowTiling.flow(frame1, frame2, trainHeight(), trainWidth(), 1,
                pairs -> forward(be, new Inputs().put("inputs", pairs), Trace.OFF).get("logits"), progress);
    }

    /** The model input of one frame pair, for callers that hold frames of exactly the training size. */
    public static Tensor input(Tensor frame1, Tensor frame2) {
        return FlowInput.modelInput(frame1, frame2);
    }
}
