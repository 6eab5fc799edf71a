package perceiver.tensor;

/**
 * The operations the model code runs, on arrays held by one backend: host {@link Tensor}s ({@link CpuBackend}) or
 * device buffers (OpenCL). The model code is written once against this interface. Weights are passed as host
 * objects ({@link PackedMatrix}, {@link Tensor}); a device backend uploads each once and keeps it for the life of
 * the model. Arrays are row-major with channels last; {@code rows} below means all leading axes flattened.
 *
 * @param <A> the backend's array type
 */
public interface Backend<A> {
    /** A short name for messages ({@code cpu}, {@code opencl:<device>}). */
    String name();

    /** Copies a host tensor to the backend (the host tensor may be returned itself). */
    A upload(Tensor host);

    /** Copies an array back to the host. */
    Tensor download(A array);

    int[] shape(A array);

    /** {@code x [.., in] · W + bias → [.., out]}, with {@code W} packed as {@code [in, out]}; bias may be null. */
    A linear(A x, PackedMatrix weightT, Tensor bias);

    /** Layer normalisation over the last axis with affine {@code gamma}, {@code beta}. */
    A layerNorm(A x, Tensor gamma, Tensor beta, float eps);

    /** Exact GELU, element-wise; may overwrite {@code x}. */
    A gelu(A x);

    /** {@code a + b} element-wise (same shapes); may overwrite {@code a}. */
    A add(A a, A b);

    /**
     * Multi-head attention per batch element (see {@link AttentionKernel}): {@code q [B, N, H·F]},
     * {@code k [B, M, H·F]}, {@code v [B, M, H·Fv]}, additive key mask {@code [B][M]} or null →
     * {@code [B, N, H·Fv]}; fills {@code probs [B, H, N, M]} (host) when not null.
     */
    A attend(A q, A k, A v, int heads, float[][] mask, Tensor probs);

    /**
     * {@link #attend} (without probabilities) of {@code q [B, N, H·F]} over the keys and values that
     * {@code project} makes of the rows of {@code x [B, M, C]}: the keys and values of row block {@code i} are
     * {@code project(x[:, block i])}, so a backend may form them a block at a time and never hold all of them. Each
     * row's keys and values must depend on that row alone. This default projects all rows at once.
     */
    default A attendBlocks(A q, A x, java.util.function.Function<A, KeyValues<A>> project, int heads,
                           float[][] mask) {
        KeyValues<A> kv = project.apply(x);
        return attend(q, kv.keys(), kv.values(), heads, mask, null);
    }

    /**
     * A weight {@code [...]} repeated along a new leading axis, {@code [times, ...]}; a device backend keeps the
     * weight on the device and repeats it there.
     */
    default A repeat(Tensor weight, int times) { return upload(weight.repeat(times)); }

    /**
     * A scope for one forward pass: arrays the backend allocated while it was open and that are not needed any
     * more are released when it closes. Host arrays need no release. Scopes nest (per thread).
     */
    default Scope scope() { return () -> {}; }

    /** See {@link #scope()}. */
    interface Scope extends AutoCloseable {
        @Override
        void close();

        /**
         * Hands {@code array}, allocated while this scope was open, to the enclosing scope, so that closing this
         * one does not release it; returns it.
         */
        default <T> T keep(T array) { return array; }
    }
}
