package perceiver.tensor;

/** The projected keys {@code [B, M, H·F]} and values {@code [B, M, H·Fv]} an attention reads, on one backend. */
public record KeyValues<A>(A keys, A values) {}
