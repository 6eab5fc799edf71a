package perceiver.golden;

import com.fasterxml.jackson.databind.JsonNode;

import perceiver.core.Trace;
import perceiver.io.position.FourierFeatures;
import perceiver.tensor.Tensor;

/**
 * The {@code fourier-features} golden case: HF's position-encoding functions for each parameter combination listed
 * under {@code combos} in its config, recorded under the case's names ({@code combo<i>.encoding}, ...).
 */
final class FourierCase {
    private FourierCase() {}

    static void record(JsonNode config, long[][] subsampledIndices, Trace trace) {
        JsonNode combos = config.path("combos");
        for (int i = 0; i < combos.size(); i++) {
            JsonNode c = combos.get(i);
            int[] dims = ints(c.get("index_dims"));
            boolean concat = c.get("concat_pos").asBoolean();
            FourierFeatures ff = new FourierFeatures(c.get("num_bands").asInt(), ints(c.get("max_resolution")), concat,
                    c.get("sine_only").asBoolean());
            int batch = c.get("batch_size").asInt();
            String p = "combo" + i + ".";
            Tensor enc;
            if (subsampledIndices[i] != null) {
                trace.put(p + "positions", FourierFeatures.subsampledPositions(subsampledIndices[i], dims).repeat(batch));
                enc = ff.encodeSubsampled(subsampledIndices[i], dims);
            } else {
                Tensor lin = FourierFeatures.linearPositions(dims);
                int[] linShape = new int[dims.length + 1];
                System.arraycopy(dims, 0, linShape, 0, dims.length);
                linShape[dims.length] = dims.length;
                trace.put(p + "linear_positions", lin.reshape(linShape));
                trace.put(p + "freq_bands", ff.freqBands());
                enc = ff.encode(dims);
                trace.put(p + "generate_fourier_features", concat ? enc.repeat(1) : enc);
            }
            // HF returns (N, C) without a batch axis when concat_pos is false, else (batch, N, C)
            trace.put(p + "encoding", concat ? enc.repeat(batch) : enc);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
