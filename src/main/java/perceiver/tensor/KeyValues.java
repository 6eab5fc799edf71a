package perceiver.tensor;

/**
 * The projected keys {@code [B, M, H·F]} and values {@code [B, M, H·Fv]} an attention reads, on one backend, and an
 * optional additive bias per key {@code [B][M]} on the scaled scores (applied like a mask), or null.
 */
public record KeyValues<A>(A keys, A values, float[][] scoreBias) {
    public KeyValues(A keys, A values) {
        this(keys, values, null);
    }
}
