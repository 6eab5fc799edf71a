package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    private static Tensor iota(int... shape) {
        float[] d = new float[(int) Tensor.count(shape)];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return Tensor.of(d, shape);
    }

    @Test
    void shapeAndIndexing() {
        Tensor t = iota(2, 3, 4);
        assertEquals(3, t.rank());
        assertEquals(24, t.size());
        assertEquals(4, t.dim(-1));
        assertEquals(3, t.dim(1));
        assertEquals(6, t.rows());
        assertTrue(t.hasShape(2, 3, 4));
        assertEquals(1 * 12 + 2 * 4 + 3, t.at(1, 2, 3));
        t.set(-1f, 0, 1, 2);
        assertEquals(-1f, t.data()[6]);
        assertArrayEquals(new int[] {2, 3, 4}, t.shape());
        t.shape()[0] = 9;
        assertEquals(2, t.dim(0), "shape() is a copy");
        assertEquals("Tensor[2, 3, 4]", t.toString());
        assertEquals(1, Tensor.zeros().size());
        assertEquals(1, Tensor.zeros().rows());
    }

    @Test
    void viewsShareDataAndCarryOffsets() {
        Tensor t = iota(2, 3, 4);
        Tensor b1 = t.get(1);
        assertTrue(b1.hasShape(3, 4));
        assertSame(t.data(), b1.data());
        assertEquals(12, b1.offset());
        assertEquals(12 + 4 + 1, b1.at(1, 1));
        Tensor r = b1.rows(1, 3);
        assertEquals(16, r.offset());
        assertTrue(r.hasShape(2, 4));
        r.set(100f, 0, 0);
        assertEquals(100f, t.at(1, 1, 0));
        Tensor flat = t.reshape(-1);
        assertTrue(flat.hasShape(24));
        Tensor m = t.reshape(6, -1);
        assertTrue(m.hasShape(6, 4));
        assertEquals(t.at(1, 2, 3), m.at(5, 3));
        Tensor empty = t.rows(1, 1);
        assertEquals(0, empty.size());
        assertArrayEquals(new float[] {12, 13, 14, 15, 100, 17, 18, 19}, b1.rows(0, 2).toArray());
    }

    @Test
    void copiesAndFillsStayInsideTheWindow() {
        Tensor t = iota(3, 2);
        Tensor mid = t.get(1);
        Tensor c = mid.copy();
        c.fill(7f);
        assertEquals(2f, t.at(1, 0), "copy is independent");
        mid.fill(-1f);
        assertArrayEquals(new float[] {0, 1, -1, -1, 4, 5}, t.toArray());
        mid.copyFrom(Tensor.of(new float[] {8, 9}, 2));
        assertArrayEquals(new float[] {0, 1, 8, 9, 4, 5}, t.data());
        assertThrows(IllegalArgumentException.class, () -> mid.copyFrom(Tensor.zeros(3)));
    }

    @Test
    void invalidShapesAndIndicesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertThrows(IllegalArgumentException.class, () -> iota(2, 3).reshape(4, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> iota(2, 3).at(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> iota(2, 3).at(0, -1));
        assertThrows(IllegalArgumentException.class, () -> iota(2, 3).at(1));
        assertThrows(IndexOutOfBoundsException.class, () -> iota(2, 3).rows(1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> iota(2, 3).rows(2, 1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1 << 16, 1 << 16));
    }
}
