package perceiver.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import perceiver.golden.PublishedConfig;
import perceiver.models.PerceiverConfig;

class FlopsTest {

    /**
     * golden/basic-model: 8 latents of 24, inputs of 20 channels, qk 16 / v 24, 2 blocks x 2 self-attention layers
     * (MLP widening 2), cross-attention MLP widening 1; decoder: 5 queries of 12, qk 8, v 12, MLP widening 2, final
     * projection 12 -> 6. Counted by hand, 2·m·n·k per product, for M = 10 input rows.
     */
    @Test
    void handCountOfTheBasicModel() {
        PerceiverConfig c = PerceiverConfig.load(Path.of("golden/basic-model/config.json"));
        Flops.Stages f = Flops.count(c, new Workload.Generic(10, 5));
        double encode = 2 * 8 * 24 * 16      // q
                + 2 * 10 * 20 * 16          // k
                + 2 * 10 * 20 * 24          // v
                + 2 * 8 * 10 * 16           // q·kᵀ
                + 2 * 8 * 10 * 24           // p·v
                + 2 * 8 * 24 * 24           // output projection
                + 2 * (2 * 8 * 24 * 24);    // MLP 24 -> 24 -> 24
        double layer = 2 * 8 * 24 * 16 * 2  // q, k
                + 2 * 8 * 24 * 24           // v
                + 2 * 8 * 8 * 16            // q·kᵀ
                + 2 * 8 * 8 * 24            // p·v
                + 2 * 8 * 24 * 24           // output projection
                + 2 * (2 * 8 * 24 * 48);    // MLP 24 -> 48 -> 24
        double decode = 2 * 5 * 12 * 8      // q
                + 2 * 8 * 24 * 8            // k (latents)
                + 2 * 8 * 24 * 12           // v (latents)
                + 2 * 5 * 8 * 8             // q·kᵀ
                + 2 * 5 * 8 * 12            // p·v
                + 2 * 5 * 12 * 12           // output projection
                + 2 * (2 * 5 * 12 * 24)     // MLP 12 -> 24 -> 12
                + 2 * 5 * 12 * 6;           // final layer
        assertEquals(56_192, encode);
        assertEquals(0, f.preprocess());
        assertEquals(encode, f.encode());
        assertEquals(4 * layer, f.process());
        assertEquals(decode, f.decode());
        assertEquals(365_168, f.total());
    }

    /** The published architectures on paper-sized inputs give the FLOP counts of the reference measurements. */
    @Test
    void publishedArchitecturesMatchTheReferenceCounts() {
        assertGflop("language-perceiver", 121, 0.5);
        assertGflop("vision-perceiver-learned", 478, 0.5);
        assertGflop("vision-perceiver-conv", 369, 0.5);
        assertGflop("optical-flow-perceiver", 1887, 0.5);
        assertGflop("multimodal-perceiver", 7576, 0.5);
    }

    private static void assertGflop(String name, double expected, double tolerance) {
        PerceiverConfig c = PublishedConfig.load(Path.of("golden/published-configs", name + ".json")).config();
        assertEquals(expected, Flops.count(c, Workload.paperSized(c, 0)).total() / 1e9, tolerance, name);
    }

    /** The flow decoder's queries are its inputs: M = O = H·W, and the count is linear in them. */
    @Test
    void flowCostIsAffineInThePixelCount() {
        PerceiverConfig c = PublishedConfig.load(Path.of("golden/published-configs/optical-flow-perceiver.json")).config();
        double a = Flops.count(c, new Workload.Flow(10, 10)).total(), b = Flops.count(c, new Workload.Flow(20, 10)).total(),
                d = Flops.count(c, new Workload.Flow(30, 10)).total();
        assertEquals(b - a, d - b, 1e-6 * d);
    }
}
