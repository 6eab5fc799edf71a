package perceiver.io.position;

import perceiver.tensor.Tensor;

/**
 * A trainable position encoding (HF {@code PerceiverTrainablePositionEncoding}): a parameter {@code [O, C]}, one
 * row per index, the same for every batch element.
 */
public record TrainablePositions(Tensor table) {

    /** {@code [batch, O, C]}. */
    public Tensor forBatch(int batch) {
        return table.repeat(batch);
    }
}
