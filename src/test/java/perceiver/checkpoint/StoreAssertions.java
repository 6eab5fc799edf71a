package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Comparisons of whole tensor stores for tests. */
final class StoreAssertions {
    private StoreAssertions() {}

    /**
     * Same names in the same order, same shapes and exactly equal values (float tensors compared as float32,
     * integer tensors as longs; a float tensor of {@code actual} may be integer-typed in {@code expected} only if
     * both are integers).
     */
    static void assertSameValues(TensorStore expected, TensorStore actual) {
        assertEquals(expected.names(), actual.names());
        for (String name : expected.names()) {
            TensorInfo e = expected.info(name);
            TensorInfo a = actual.info(name);
            assertArrayEquals(e.shape(), a.shape(), name);
            assertEquals(e.dtype().isFloat(), a.dtype().isFloat(), name);
            if (e.dtype().isFloat()) {
                assertArrayEquals(expected.floats(name).toArray(), actual.floats(name).toArray(), name);
            } else {
                assertArrayEquals(expected.longs(name), actual.longs(name), name);
            }
        }
    }

    /** {@link #assertSameValues} and the same dtypes. */
    static void assertSameTensors(TensorStore expected, TensorStore actual) {
        assertSameValues(expected, actual);
        for (String name : expected.names()) assertEquals(expected.info(name).dtype(), actual.info(name).dtype(), name);
    }
}
