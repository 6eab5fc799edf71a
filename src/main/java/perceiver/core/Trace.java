package perceiver.core;

import java.util.LinkedHashMap;
import java.util.Map;

import perceiver.tensor.Backend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Named intermediates of one forward pass, under the reference implementation's names ({@code hidden_states.3},
 * {@code attentions.0}, {@code cross_attentions.1}, {@code decoder.query}, ...). {@link #OFF} records nothing and
 * asks for no attention probabilities, so a normal forward pass keeps the streaming attention path.
 */
public final class Trace {
    public static final Trace OFF = new Trace(false);

    private final boolean on;
    private final Listener listener;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, LongTensor> integers = new LinkedHashMap<>();
    private String prefix = "";

    private Trace(boolean on, Listener listener) {
        this.on = on;
        this.listener = listener;
    }

    private Trace(boolean on) { this(on, null); }

    /** A trace that records every intermediate, attention probabilities included. */
    public static Trace recording() { return new Trace(true); }

    /**
     * A trace that records nothing (the normal, streaming path) but tells {@code listener} the name of each
     * intermediate as the forward pass reaches it: timing hooks for benchmarks.
     */
    public static Trace listening(Listener listener) { return new Trace(false, listener); }

    /** Told the (prefixed) name of each intermediate when the forward pass reaches it. */
    @FunctionalInterface
    public interface Listener {
        void reached(String name);
    }

    public boolean on() { return on; }

    /** Records {@code t} under {@code prefix + name} (no-op when off). */
    public void put(String name, Tensor t) {
        if (listener != null) listener.reached(prefix + name);
        if (on) tensors.put(prefix + name, t);
    }

    /** Records a backend array (downloaded to the host only when recording). */
    public <A> void put(String name, Backend<A> be, A array) {
        if (on) put(name, be.download(array));
        else if (listener != null) listener.reached(prefix + name);
    }

    /** Records an integer intermediate (sizes, counts) under {@code prefix + name} (no-op when off). */
    public void put(String name, LongTensor t) {
        if (listener != null) listener.reached(prefix + name);
        if (on) integers.put(prefix + name, t);
    }

    /** Records an integer scalar. */
    public void putScalar(String name, long value) {
        put(name, new LongTensor(new long[] {value}, new int[0]));
    }

    /** A zero tensor of the given shape to be filled with attention probabilities, or null when off. */
    public Tensor probabilities(String name, int... shape) {
        if (!on) return null;
        Tensor t = Tensor.zeros(shape);
        put(name, t);
        return t;
    }

    /** Prefix for the names recorded next (e.g. {@code "chunk."} for one of several decoding runs). */
    public void prefix(String p) { prefix = p; }

    public Map<String, Tensor> tensors() { return tensors; }

    public Map<String, LongTensor> integers() { return integers; }
}
