package perceiver.benchmark;

import perceiver.core.Trace;

/**
 * Splits one forward pass into the paper's stages by the intermediates a {@link Trace#listening listening trace}
 * reports: preprocessing ends at {@code preprocessor.output}, the encoder cross-attention at {@code hidden_states.0}
 * (the input of the first latent self-attention layer), processing at {@code last_hidden_state}; decoding (with
 * postprocessing) is the rest. A model without a preprocessor has a zero preprocessing stage.
 */
final class StageClock implements Trace.Listener {
    private final long start = System.nanoTime();
    private long preprocessed, encoded, processed;

    @Override
    public void reached(String name) {
        switch (name) {
            case "preprocessor.output" -> { if (preprocessed == 0) preprocessed = System.nanoTime(); }
            case "hidden_states.0" -> { if (encoded == 0) encoded = System.nanoTime(); }
            case "last_hidden_state" -> { if (processed == 0) processed = System.nanoTime(); }
            default -> { }
        }
    }

    /** A listening trace reporting to this clock. */
    Trace trace() { return Trace.listening(this); }

    /** The stage times up to now. */
    StageTimes finish() {
        long end = System.nanoTime();
        long pre = preprocessed == 0 ? start : preprocessed;
        long enc = encoded == 0 ? pre : encoded;
        long proc = processed == 0 ? enc : processed;
        return new StageTimes((pre - start) * 1e-9, (enc - pre) * 1e-9, (proc - enc) * 1e-9, (end - proc) * 1e-9);
    }

    /** Seconds per stage of one pass. */
    record StageTimes(double preprocess, double encode, double process, double decode) {
        double total() { return preprocess + encode + process + decode; }
    }
}
