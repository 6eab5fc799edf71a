package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import perceiver.api.PerceiverIO;

/** Whole models on one OpenCL backend: nothing but the weights stays on the device, and many threads may call. */
class OpenClModelTest {
    private static final String MODEL = "golden/mlm-bytes";

    @Test
    void aForwardPassLeavesOnlyTheWeightsOnTheDevice() {
        OpenClTests.backend();
        OpenClBackend be = OpenCl.open(null, Long.MAX_VALUE, null);
        PerceiverIO model = PerceiverIO.load(MODEL, be);
        String first = model.fillMask("Perceiver [MASK][MASK][MASK]");
        long weights = be.bytesInUse();
        long uploads = be.weightUploads();
        assertTrue(weights > 0 && uploads > 0);
        for (int i = 0; i < 3; i++) assertEquals(first, model.fillMask("Perceiver [MASK][MASK][MASK]"));
        assertEquals(weights, be.bytesInUse(), "activations released after each pass");
        assertEquals(uploads, be.weightUploads(), "weights uploaded once");
    }

    @Test
    void concurrentCallsGiveTheSingleThreadedResults() throws Exception {
        OpenClBackend be = OpenClTests.backend();
        PerceiverIO model = PerceiverIO.load(MODEL, be);
        String[] texts = {"a[MASK]c", "Hello [MASK][MASK]", "[MASK] perceiver io [MASK]", "xyz[MASK][MASK][MASK]"};
        List<String> expected = new ArrayList<>();
        for (String t : texts) expected.add(model.fillMask(t));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String t : texts) results.add(pool.submit(() -> model.fillMask(t)));
            }
            for (int i = 0; i < results.size(); i++) assertEquals(expected.get(i % texts.length), results.get(i).get());
        } finally {
            pool.shutdown();
        }
    }
}
