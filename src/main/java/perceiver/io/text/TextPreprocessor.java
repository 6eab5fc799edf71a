package perceiver.io.text;

import perceiver.tensor.Elementwise;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * HF's {@code PerceiverTextPreprocessor}: token embedding plus a learned position embedding for positions
 * {@code 0..L-1} (added, no scaling).
 *
 * @param tokens    {@code [vocab, C]}
 * @param positions {@code [max_positions, C]}
 */
public record TextPreprocessor(Tensor tokens, Tensor positions) {

    public int channels() { return tokens.dim(1); }

    /** Token embeddings without positions: {@code ids [B, L] → [B, L, C]}. */
    public Tensor embed(LongTensor ids) {
        int batch = ids.dim(0), len = ids.dim(1), c = channels();
        if (len > positions.dim(0)) {
            throw new IllegalArgumentException("input of " + len + " tokens is longer than the model's "
                    + positions.dim(0) + " positions");
        }
        Tensor out = Tensor.zeros(batch, len, c);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < len; i++) {
                long id = ids.data()[b * len + i];
                if (id < 0 || id >= tokens.dim(0)) {
                    throw new IllegalArgumentException("token id " + id + " at [" + b + ", " + i
                            + "] is outside the vocabulary of " + tokens.dim(0));
                }
                System.arraycopy(tokens.data(), tokens.offset() + (int) id * c, out.data(), (b * len + i) * c, c);
            }
        }
        return out;
    }

    /** {@code embedded [B, L, C]} plus position embeddings {@code 0..L-1}, as a new tensor. */
    public Tensor addPositions(Tensor embedded) {
        Tensor out = embedded.copy();
        int len = embedded.dim(1), c = channels();
        for (int b = 0; b < embedded.dim(0); b++) {
            Elementwise.addInPlace(out.data(), b * len * c, positions.data(), positions.offset(), len * c);
        }
        return out;
    }
}
