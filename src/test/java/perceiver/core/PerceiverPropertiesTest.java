package perceiver.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import perceiver.models.GenericModel;
import perceiver.models.Inputs;
import perceiver.models.ModelDirectory;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.Tensor;

/**
 * Structural properties of Perceiver IO (paper §2-3) on the basic-model golden weights: without position
 * encodings the encoder is permutation invariant in its inputs, and each decoder output row depends only on its
 * own query.
 */
class PerceiverPropertiesTest {
    static final CpuBackend CPU = CpuBackend.INSTANCE;
    static GenericModel model;

    @BeforeAll
    static void load() {
        model = (GenericModel) ModelDirectory.load("golden/basic-model");
    }

    @Test
    void encoderIsInvariantToPermutingInputs() {
        int c = model.config().dModel();
        qt().withExamples(30).forAll(integers().between(1, 40), longs().all()).checkAssert((m, seed) -> {
            Random rng = new Random(seed);
            Tensor x = random(rng, 1, m, c);
            int[] perm = permutation(rng, m);
            Tensor y = Tensor.zeros(1, m, c);
            for (int i = 0; i < m; i++) y.get(0).get(i).copyFrom(x.get(0).get(perm[i]));
            Tensor a = model.perceiver().encode(CPU, x, null, Trace.OFF);
            Tensor b = model.perceiver().encode(CPU, y, null, Trace.OFF);
            assertClose(a, b, 1e-5);
        });
    }

    @Test
    void decoderRowsDependOnlyOnTheirQuery() {
        int e = model.queries().dim(1);
        Tensor latents = model.perceiver().encode(CPU, random(new Random(7), 1, 9, model.config().dModel()), null, Trace.OFF);
        qt().withExamples(30).forAll(integers().between(1, 50), longs().all()).checkAssert((o, seed) -> {
            Random rng = new Random(seed);
            Tensor queries = random(rng, 1, o, e);
            Tensor full = model.decoder().decode(CPU, queries, latents, Trace.OFF);
            int from = rng.nextInt(o), to = from + 1 + rng.nextInt(o - from);
            Tensor chunk = model.decoder().decode(CPU, queries.get(0).rows(from, to).reshape(1, to - from, e), latents, Trace.OFF);
            assertClose(full.get(0).rows(from, to), chunk.get(0), 0);
        });
    }

    /**
     * A long input: the CPU backend forms the encoder's keys and values a block of rows at a time and streams them;
     * the result is bit for bit that of forming them all at once (the backend's default).
     */
    @Test
    void encoderStreamingKeysEqualsAllAtOnce() {
        Tensor x = random(new Random(11), 1, 20_000, model.config().dModel());
        Tensor streamed = model.perceiver().encode(CPU, x, null, Trace.OFF);
        Tensor whole = model.perceiver().encode(new WholeKeys(), x, null, Trace.OFF);
        assertClose(whole, streamed, 0);
    }

    /** More queries than one chunk: the latents' keys and values are formed once and every chunk reads them. */
    @Test
    void chunkedDecodingEqualsDecodingEachChunkAlone() {
        int e = model.queries().dim(1), o = 2 * BasicDecoder.CHUNK_ROWS + 33;
        Tensor latents = model.perceiver().encode(CPU, random(new Random(5), 1, 9, model.config().dModel()), null, Trace.OFF);
        Tensor queries = random(new Random(6), 1, o, e);
        Tensor full = model.decoder().decode(CPU, queries, latents, Trace.OFF);
        for (int[] r : new int[][] {{0, 100}, {BasicDecoder.CHUNK_ROWS - 7, BasicDecoder.CHUNK_ROWS + 7}, {o - 40, o}}) {
            Tensor part = model.decoder().decode(CPU, queries.get(0).rows(r[0], r[1]).reshape(1, r[1] - r[0], e),
                    latents, Trace.OFF);
            assertClose(full.get(0).rows(r[0], r[1]), part.get(0), 0);
        }
    }

    /**
     * A head after the decoder (a postprocessor's linear layer) narrower than the cross-attention layer moves into
     * its MLP together with the final layer: up to rounding, Eq. 4-6, the final layer and the head one after the
     * other. A head as wide as the layer is applied after them, bit for bit.
     */
    @Test
    void headMovedIntoTheDecoderEqualsApplyingItAfter() {
        BasicDecoder decoder = model.decoder();
        int e = model.queries().dim(1), c = decoder.crossAttention().layer().mlp().dense2().out();
        Random rng = new Random(12);
        Tensor latents = model.perceiver().encode(CPU, random(rng, 1, 9, model.config().dModel()), null, Trace.OFF);
        Tensor queries = random(rng, 1, 300, e);
        var memory = decoder.memory(CPU, latents, 300);
        Tensor decoded = decoder.finalLayer().forward(decoder.crossAttention().forward(CPU, queries, memory.get(0), null));
        int out = decoder.finalLayer().out();
        BasicDecoder.Head narrow = decoder.head(randomLinear(rng, out, c - 1));
        assertTrue(narrow.projected() != null);
        assertClose(narrow.head().forward(decoded), decoder.decode(CPU, queries, memory, narrow), 2e-6);
        BasicDecoder.Head wide = decoder.head(randomLinear(rng, out, c));
        assertTrue(wide.projected() == null);
        assertClose(wide.head().forward(decoded), decoder.decode(CPU, queries, memory, wide), 0);
    }

    private static perceiver.nn.Linear randomLinear(Random rng, int in, int out) {
        Tensor w = random(rng, out, in);
        for (int i = 0; i < w.size(); i++) w.data()[i] /= (float) Math.sqrt(in);
        return perceiver.nn.Linear.of(w, random(rng, out));
    }

    /** The CPU backend with {@link perceiver.tensor.Backend#attendBlocks}'s default: all keys and values at once. */
    private static final class WholeKeys implements perceiver.tensor.Backend<Tensor> {
        @Override public String name() { return "cpu-whole-keys"; }
        @Override public Tensor upload(Tensor host) { return host; }
        @Override public Tensor download(Tensor array) { return array; }
        @Override public int[] shape(Tensor array) { return array.shape(); }
        @Override public Tensor linear(Tensor x, perceiver.tensor.PackedMatrix w, Tensor b) { return CPU.linear(x, w, b); }
        @Override public Tensor layerNorm(Tensor x, Tensor g, Tensor b, float eps) { return CPU.layerNorm(x, g, b, eps); }
        @Override public Tensor gelu(Tensor x) { return CPU.gelu(x); }
        @Override public Tensor add(Tensor a, Tensor b) { return CPU.add(a, b); }
        @Override
        public Tensor attend(Tensor q, Tensor k, Tensor v, int heads, float[][] mask, Tensor probs) {
            return CPU.attend(q, k, v, heads, mask, probs);
        }
    }

    @Test
    void forwardRejectsInputsOfTheWrongWidth() {
        Inputs in = new Inputs().put("inputs", Tensor.zeros(1, 3, model.config().dModel() + 1));
        IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> model.forward(in, Trace.OFF));
        assertTrue(ex.getMessage().contains("inputs must be [batch, M, " + model.config().dModel() + "]"), ex.getMessage());
    }

    static Tensor random(Random rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rng.nextGaussian();
        return t;
    }

    static int[] permutation(Random rng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static void assertClose(Tensor a, Tensor b, double tol) {
        for (int i = 0; i < a.size(); i++) {
            float x = a.data()[a.offset() + i], y = b.data()[b.offset() + i];
            assertTrue(Math.abs(x - y) <= tol * Math.max(1, Math.abs(x)), "element " + i + ": " + x + " vs " + y);
        }
    }
}
